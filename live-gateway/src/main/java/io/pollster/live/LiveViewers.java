package io.pollster.live;

import io.pollster.core.identity.CurrentUsers;
import io.pollster.core.identity.VoterIds;
import io.pollster.core.poll.PollDefinition;
import io.pollster.core.results.ResultsAccess;
import io.pollster.core.results.ResultsViewer;
import io.pollster.live.fanout.Viewer;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Who opens a live connection, identified as the write-api identifies a voter, and whether they may see
 * counts now (core's {@link ResultsAccess}, the one rule). The user comes from core's identity filter
 * ({@code X-User-Id}, or a JWT in {@code Authorization} or {@code access_token}); the voter id is the user
 * in a {@code user} poll, and in anonymous polls {@link VoterIds} of the device id ({@code X-Device-Id}
 * header, or the {@code device_id} query parameter, since browsers' WebSocket and EventSource cannot set
 * headers) or of the client address (the trusted proxy's, as for votes).
 */
@Component
public class LiveViewers {

    /** Query parameter carrying the device id where a header cannot be set. */
    public static final String DEVICE_PARAMETER = "device_id";

    private static final Logger log = LoggerFactory.getLogger(LiveViewers.class);

    private final VoterIds voterIds;
    private final ResultsAccess access;

    LiveViewers(VoterIds voterIds, ResultsAccess access) {
        this.voterIds = voterIds;
        this.access = access;
    }

    /** Identifies the viewer of {@code poll} behind {@code request} and decides whether it sees counts. */
    public void identify(PollDefinition poll, HttpServletRequest request, Viewer viewer) {
        ResultsViewer identity = identity(poll, request);
        viewer.identify(identity, maySee(poll, identity));
    }

    ResultsViewer identity(PollDefinition poll, HttpServletRequest request) {
        String device = request.getHeader(VoterIds.DEVICE_HEADER);
        if (device == null) {
            device = request.getParameter(DEVICE_PARAMETER);
        }
        // the voter id as the write-api derives it for a vote (core's one derivation)
        return ResultsViewer.of(poll, CurrentUsers.current(), device, request.getRemoteAddr(), voterIds);
    }

    /** ResultsAccess's answer; hidden when it cannot tell (PostgreSQL and Redis both unreachable). */
    public boolean maySee(PollDefinition poll, ResultsViewer identity) {
        try {
            return access.maySee(poll, identity);
        } catch (RuntimeException e) {
            log.warn("Cannot tell whether a viewer of poll {} may see its counts: hidden", poll.pollId(), e);
            return false;
        }
    }
}
