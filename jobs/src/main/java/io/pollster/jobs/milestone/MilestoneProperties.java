package io.pollster.jobs.milestone;

import jakarta.validation.constraints.NotEmpty;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Milestone notifications ({@code pollster.jobs.milestones.*}).
 *
 * @param enabled whether this instance consumes {@code milestone:stream-*}
 * @param thresholds totals worth a notification; an entry notifies the greatest one it reached
 */
@ConfigurationProperties("pollster.jobs.milestones")
@Validated
record MilestoneProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue({"100", "1000", "10000", "100000", "1000000", "10000000"}) @NotEmpty List<Long> thresholds) {}
