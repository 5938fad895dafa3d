package io.pollster.live.sse;

import io.pollster.core.json.ProblemResponses;
import io.pollster.core.json.ProblemType;
import io.pollster.core.poll.PollDefinition;
import io.pollster.live.ConnectionsPerIp;
import io.pollster.live.LiveViewers;
import io.pollster.live.fanout.FanoutMetrics;
import io.pollster.live.fanout.ResultsBroadcaster;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /sse/polls/{poll_id or slug}}: the live results messages as Server-Sent Events
 * ({@code event: results}). The response is a raw asynchronous one with non-blocking writes rather than
 * an {@code SseEmitter}, whose sends block the calling thread on a slow peer.
 */
@RestController
class ResultsSseController {

    private final ResultsBroadcaster broadcaster;
    private final FanoutMetrics metrics;
    private final ConnectionsPerIp connectionsPerIp;
    private final LiveViewers liveViewers;

    ResultsSseController(
            ResultsBroadcaster broadcaster,
            FanoutMetrics metrics,
            ConnectionsPerIp connectionsPerIp,
            LiveViewers liveViewers) {
        this.broadcaster = broadcaster;
        this.metrics = metrics;
        this.connectionsPerIp = connectionsPerIp;
        this.liveViewers = liveViewers;
    }

    @GetMapping("/sse/polls/{idOrSlug}")
    void stream(@PathVariable String idOrSlug, HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        Optional<PollDefinition> poll = broadcaster.find(idOrSlug);
        if (poll.isEmpty()) {
            ProblemResponses.write(
                    request, response, ProblemType.NOT_FOUND, "No poll with id or slug '" + idOrSlug + "'");
            return;
        }
        Optional<Runnable> slot = connectionsPerIp.acquire(request.getRemoteAddr());
        if (slot.isEmpty()) {
            ConnectionsPerIp.refuse(request, response);
            return;
        }
        try {
            // before the stream starts: Redis out of reach is answered 503 (core's StoreOutageResolver)
            broadcaster.ensureConnected();
            start(poll.get(), request, response, slot.get());
        } catch (IOException | RuntimeException e) {
            slot.get().run();
            throw e;
        }
    }

    private void start(PollDefinition poll, HttpServletRequest request, HttpServletResponse response, Runnable release)
            throws IOException {
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType(MediaType.TEXT_EVENT_STREAM_VALUE);
        response.setCharacterEncoding("UTF-8");
        response.setHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
        // proxies such as nginx would otherwise hold events back in their buffers
        response.setHeader("X-Accel-Buffering", "no");
        AsyncContext async = request.startAsync();
        async.setTimeout(0);
        ServletOutputStream out = response.getOutputStream();
        SseViewer viewer = new SseViewer(async, out, metrics.connections(false), metrics, release);
        liveViewers.identify(poll, request, viewer);
        metrics.connections(false).incrementAndGet();
        async.addListener(viewer);
        out.setWriteListener(viewer.pump());
        broadcaster.watch(poll, viewer);
    }
}
