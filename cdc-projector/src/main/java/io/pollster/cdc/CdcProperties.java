package io.pollster.cdc;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the CDC projector ({@code pollster.cdc.*}).
 *
 * @param enabled whether this application runs the projector at all
 * @param slotName the logical replication slot; one slot has one active reader, other projectors on the
 *     same slot stand by
 * @param publicationName the publication Debezium creates, filtered to the tables the projector reads
 * @param topicPrefix Debezium's logical server name, part of its offsets' key
 * @param dropSlotOnStop drop the slot on a graceful stop (tests); never in production, where the slot
 *     is what lets a restarted projector resume without losing a change
 * @param milestoneThresholds totals at which a poll reaches a milestone
 * @param heartbeatInterval how often Debezium confirms its position to PostgreSQL while idle
 * @param pollInterval how long the engine waits for more changes before handing over a batch; bounds
 *     the commit→publish latency of a quiet stream
 * @param maxBatchSize most changes in one batch (one Lua call and one publish per poll per batch)
 * @param changesMaxLength approximate length {@code changes:stream-{N}} is trimmed to on each append
 * @param changesRetention when set, trim {@code changes:stream-{N}} by age (MINID ~) instead of length
 * @param responseEvents whether every inserted response becomes a {@code response_inserted} change
 *     event; off leaves {@code responses} out of the publication, so the projector decodes only
 *     counter and poll changes (most of its CPU per vote goes to response rows), for deployments
 *     where no data team consumes response events
 * @param standbyPollInterval how often a standby projector tries to take over the slot
 * @param retryInitialBackoff first wait after a failure (PostgreSQL or Redis unreachable); doubles
 * @param retryMaxBackoff longest wait between retries
 */
@Validated
@ConfigurationProperties("pollster.cdc")
public record CdcProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("pollster_cdc") @NotBlank String slotName,
        @DefaultValue("pollster_cdc") @NotBlank String publicationName,
        @DefaultValue("pollster") @NotBlank String topicPrefix,
        @DefaultValue("false") boolean dropSlotOnStop,
        @DefaultValue({"100", "1000", "10000", "100000", "1000000"}) @NotEmpty List<@Min(1) Long> milestoneThresholds,
        @DefaultValue("10s") @NotNull Duration heartbeatInterval,
        @DefaultValue("10ms") @NotNull Duration pollInterval,
        @DefaultValue("2048") @Min(1) int maxBatchSize,
        @DefaultValue("1000000") @Min(1) long changesMaxLength,
        Duration changesRetention,
        @DefaultValue("true") boolean responseEvents,
        @DefaultValue("2s") @NotNull Duration standbyPollInterval,
        @DefaultValue("200ms") @NotNull Duration retryInitialBackoff,
        @DefaultValue("10s") @NotNull Duration retryMaxBackoff) {

    public CdcProperties {
        milestoneThresholds = milestoneThresholds.stream().sorted().distinct().toList();
    }
}
