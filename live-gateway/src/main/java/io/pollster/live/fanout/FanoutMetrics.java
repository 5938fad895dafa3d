package io.pollster.live.fanout;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.springframework.stereotype.Component;

/** What the fan-out reports to Micrometer ({@code pollster.live.*}). */
@Component
public class FanoutMetrics {

    private final MeterRegistry registry;
    private final AtomicInteger webSocketConnections = new AtomicInteger();
    private final AtomicInteger sseConnections = new AtomicInteger();
    private final Counter received;
    private final Counter sent;
    private final Counter coalesced;
    private final Counter dropped;
    private final Counter disconnectedSlow;
    private final Timer fanoutLatency;

    FanoutMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("pollster.live.connections", webSocketConnections, AtomicInteger::get)
                .tag("transport", "websocket")
                .description("open viewer connections")
                .register(registry);
        Gauge.builder("pollster.live.connections", sseConnections, AtomicInteger::get)
                .tag("transport", "sse")
                .description("open viewer connections")
                .register(registry);
        received = Counter.builder("pollster.live.messages.received")
                .description("results messages received from Redis")
                .register(registry);
        sent = Counter.builder("pollster.live.messages.sent")
                .description("results messages written to viewers")
                .register(registry);
        coalesced = Counter.builder("pollster.live.messages.coalesced")
                .description("messages a slow viewer skipped because a newer one replaced them")
                .register(registry);
        dropped = Counter.builder("pollster.live.messages.dropped")
                .description("messages not delivered: stale (older than what the viewer has) or viewer gone")
                .register(registry);
        disconnectedSlow = Counter.builder("pollster.live.viewers.disconnected.slow")
                .description("viewers disconnected because a send exceeded the send timeout")
                .register(registry);
        fanoutLatency = Timer.builder("pollster.live.fanout.latency")
                .description("from a message's arrival on this node until every viewer of a stripe was handed it")
                .publishPercentiles(0.5, 0.99)
                .register(registry);
    }

    void pollsWatched(Supplier<Number> watched) {
        Gauge.builder("pollster.live.polls.watched", watched)
                .description("polls with viewers on this node (one Redis subscription each)")
                .register(registry);
    }

    public AtomicInteger connections(boolean webSocket) {
        return webSocket ? webSocketConnections : sseConnections;
    }

    void received() {
        received.increment();
    }

    void sent() {
        sent.increment();
    }

    void coalesced() {
        coalesced.increment();
    }

    void coalesced(int viewers) {
        coalesced.increment(viewers);
    }

    void dropped() {
        dropped.increment();
    }

    void disconnectedSlow() {
        disconnectedSlow.increment();
    }

    void fannedOut(ResultsFrame frame) {
        fanoutLatency.record(System.nanoTime() - frame.receivedAtNanos(), TimeUnit.NANOSECONDS);
    }

    public double sentCount() {
        return sent.count();
    }

    public double coalescedCount() {
        return coalesced.count();
    }

    public double disconnectedSlowCount() {
        return disconnectedSlow.count();
    }

    /**
     * A connection closed or refused for how its client behaved: {@code pong-timeout}, {@code protocol-error}
     * or {@code per-ip-limit} ({@code pollster.live.viewers.closed{reason}}).
     */
    public void disconnected(String reason) {
        Counter.builder("pollster.live.viewers.closed")
                .tag("reason", reason)
                .description("connections closed or refused because of what their client did")
                .register(registry)
                .increment();
    }

    public double disconnectedCount(String reason) {
        Counter counter = registry.find("pollster.live.viewers.closed")
                .tag("reason", reason)
                .counter();
        return counter == null ? 0 : counter.count();
    }
}
