package io.pollster.core.stream;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.UUID;

/**
 * This instance's name in the stream consumer groups ({@code pollster.consumer-name}). By default
 * {@code <host>-<server.port>}: stable across restarts (so a restarted instance re-reads its own
 * pending entries at once instead of waiting for another consumer's claim timeout) and distinct for two
 * instances on one host (they cannot share a port). With {@code server.port=0} there is no stable
 * identity to derive, so the name is {@code <host>-<pid>-<random>}; set {@code pollster.consumer-name}
 * for such instances.
 */
public final class ConsumerNames {

    private ConsumerNames() {}

    /** {@code configured} when set, otherwise the name derived from the host and {@code serverPort}. */
    public static String resolve(String configured, int serverPort) {
        if (configured != null && !configured.isBlank()) {
            return configured.strip();
        }
        String host = hostName();
        if (serverPort > 0) {
            return host + "-" + serverPort;
        }
        return host + "-" + ManagementFactory.getRuntimeMXBean().getPid() + "-"
                + UUID.randomUUID().toString().substring(0, 8);
    }

    private static String hostName() {
        String fromEnvironment = System.getenv("HOSTNAME");
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            return fromEnvironment.strip();
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown-host";
        }
    }
}
