package io.pollster.jobs.runtime;

import jakarta.validation.constraints.Min;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How jobs consume the sharded streams ({@code pollster.jobs.streams.*}), on core's stream-consumer loop
 * (the consumer name is core's {@code pollster.consumer-name}).
 *
 * @param blockTime how long one read waits for new entries; also the longest a stop waits for a read
 * @param batchSize entries read, or reclaimed, per stream and round
 * @param claimIdle how long an entry stays pending with a consumer (one that died) before another
 *     consumer takes it over; a restarted instance does not wait for it, it re-reads its own entries
 * @param maxTries refusals of one entry by PostgreSQL on its own merits (a constraint) before it goes to
 *     the stream's dead-letter stream; an outage of PostgreSQL, Redis or the archive store never counts
 * @param retryInitial first pause after a failure of the stores; doubled after each further one
 * @param retryMax longest pause between two tries during an outage
 */
@ConfigurationProperties("pollster.jobs.streams")
@Validated
public record StreamProperties(
        @DefaultValue("1s") Duration blockTime,
        @DefaultValue("100") @Min(1) int batchSize,
        @DefaultValue("30s") Duration claimIdle,
        @DefaultValue("5") @Min(1) int maxTries,
        @DefaultValue("100ms") Duration retryInitial,
        @DefaultValue("5s") Duration retryMax) {}
