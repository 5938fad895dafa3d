package io.pollster.jobs.closing;

import jakarta.validation.constraints.Min;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Scheduled closing ({@code pollster.jobs.closing.*}).
 *
 * @param enabled whether this instance closes polls
 * @param interval pause between two rounds: a poll is closed at most this long after its deadline
 * @param batchSize polls closed per statement
 */
@ConfigurationProperties("pollster.jobs.closing")
@Validated
record ClosingProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("1s") Duration interval,
        @DefaultValue("500") @Min(1) int batchSize) {}
