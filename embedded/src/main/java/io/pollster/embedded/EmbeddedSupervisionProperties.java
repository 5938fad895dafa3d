package io.pollster.embedded;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How the embedded servers of a running process are watched ({@code pollster.embedded.supervision.*}).
 *
 * @param enabled restart an embedded server that dies
 * @param checkInterval how often the servers' processes are looked at
 * @param maxRestarts tries to restart a dead server before the process gives up and exits non-zero,
 *     so that whatever supervises it (systemd, Kubernetes) starts it afresh
 * @param initialBackoff wait before the first try, doubled after each failed one
 * @param maxBackoff longest wait between two tries
 * @param exitDelay how long a process that gave up keeps answering (liveness DOWN, with the reason in
 *     its health) before it exits
 */
@ConfigurationProperties("pollster.embedded.supervision")
public record EmbeddedSupervisionProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("250ms") Duration checkInterval,
        @DefaultValue("5") int maxRestarts,
        @DefaultValue("250ms") Duration initialBackoff,
        @DefaultValue("8s") Duration maxBackoff,
        @DefaultValue("5s") Duration exitDelay) {}
