package io.pollster.api.vote;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.stereotype.Component;

/** Counters of the HTTP side of voting (the ingester keeps its own). */
@Component
class VoteMetrics {

    private final MeterRegistry registry;
    private final Counter accepted;

    VoteMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.accepted = Counter.builder("pollster.votes.accepted")
                .description("Vote requests answered 202 (idempotent replays excluded)")
                .register(registry);
    }

    void accepted() {
        accepted.increment();
    }

    /** A vote request refused, by problem slug ({@code already-voted}, {@code poll-closed}, …). */
    void refused(String reason) {
        registry.counter("pollster.votes.refused", "reason", reason).increment();
    }
}
