package io.pollster.live;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the live gateway ({@code pollster.live.*}).
 *
 * @param sendTimeout how long one message may take to reach a viewer's socket; a viewer stuck longer is
 *     disconnected, so it cannot hold memory or delay anyone
 * @param pingInterval a connection that was sent nothing for this long gets a ping (WebSocket) or a
 *     comment line (SSE), which keeps proxies from closing it and finds dead peers
 * @param fanoutThreads threads writing to viewers; each poll's viewers are split into this many
 *     stripes so one hot poll uses every core
 * @param minFrameInterval the shortest time between two frames of one poll to its viewers: updates
 *     arriving faster are merged into the latest (docs/api.md allows it). Bounds the fan-out work of a
 *     viral poll to viewers × (1 s / interval) sends a second, whatever the vote rate, so CPU stays
 *     for taking votes; a viewer sees a change at most this much later. {@code 0} sends every update.
 * @param pongTimeout a WebSocket client that answers our ping with no pong within this long is closed
 *     (1001): a silent or half-open client does not keep its connection forever
 * @param maxConnectionsPerIp connections (WebSocket and SSE together) one client IP may hold on this node;
 *     the IP is the one a trusted proxy forwards ({@code server.tomcat.remoteip.internal-proxies}). Past it, a new
 *     connection is refused with 429 {@code rate-limited}
 * @param viewersRefresh how often this gateway reports its connections per poll to Redis and reads back the
 *     sum over every gateway, the {@code "viewers"} of live messages; a report holds for three intervals, so
 *     a gateway that dies stops being counted that long after its last one
 * @param visibilityRefresh how often the connections that get hidden results ({@code after_vote}, {@code
 *     after_close} polls) are checked again, each with core's ResultsAccess: an {@code after_vote} poll's
 *     only when its version moved since the last check (a vote was counted), so a viewer who votes starts
 *     getting counts on the open connection about this long after its vote shows in the results
 */
@ConfigurationProperties("pollster.live")
@Validated
public record LiveProperties(
        @DefaultValue("5s") @NotNull Duration sendTimeout,
        @DefaultValue("25s") @NotNull Duration pingInterval,
        @DefaultValue("2") @Min(1) @Max(64) int fanoutThreads,
        @DefaultValue("100ms") @NotNull Duration minFrameInterval,
        @DefaultValue("10s") @NotNull Duration pongTimeout,
        @DefaultValue("200") @Min(1) int maxConnectionsPerIp,
        @DefaultValue("2s") @NotNull Duration viewersRefresh,
        @DefaultValue("1s") @NotNull Duration visibilityRefresh) {

    public LiveProperties {
        if (viewersRefresh != null && (viewersRefresh.isNegative() || viewersRefresh.isZero())) {
            throw new IllegalArgumentException("pollster.live.viewers-refresh must be positive: " + viewersRefresh);
        }
        if (visibilityRefresh != null && (visibilityRefresh.isNegative() || visibilityRefresh.isZero())) {
            throw new IllegalArgumentException(
                    "pollster.live.visibility-refresh must be positive: " + visibilityRefresh);
        }
    }
}
