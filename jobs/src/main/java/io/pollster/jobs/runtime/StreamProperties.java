package io.pollster.jobs.runtime;

import jakarta.validation.constraints.Min;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How jobs consume the sharded streams ({@code pollster.jobs.streams.*}).
 *
 * @param pollInterval pause after a read that found nothing
 * @param batchSize entries read, or reclaimed, per stream and round
 * @param claimIdle how long an entry stays pending (its consumer died or failed on it) before another
 *     consumer takes it over
 * @param maxDeliveries deliveries of one entry after which it is logged and dropped as poison
 */
@ConfigurationProperties("pollster.jobs.streams")
@Validated
public record StreamProperties(
        @DefaultValue("200ms") Duration pollInterval,
        @DefaultValue("100") @Min(1) int batchSize,
        @DefaultValue("30s") Duration claimIdle,
        @DefaultValue("10") @Min(1) int maxDeliveries) {}
