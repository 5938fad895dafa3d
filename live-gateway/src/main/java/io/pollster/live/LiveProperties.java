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
 */
@ConfigurationProperties("pollster.live")
@Validated
public record LiveProperties(
        @DefaultValue("5s") @NotNull Duration sendTimeout,
        @DefaultValue("25s") @NotNull Duration pingInterval,
        @DefaultValue("2") @Min(1) @Max(64) int fanoutThreads) {}
