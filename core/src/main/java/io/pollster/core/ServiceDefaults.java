package io.pollster.core;

import java.util.Map;

/**
 * Defaults every deployable Pollster service starts with, below anything the user configures: its
 * name, its port (docs/api.md), the operations endpoints, and how long a request waits for a store that does
 * not answer: a few seconds, then 503 {@code unavailable} ({@link StoreOutage}), rather than holding a
 * server thread for the drivers' defaults (30 s for a pooled PostgreSQL connection, 60 s for a Redis
 * command). The Redis timeout stays above every blocking read's wait ({@code pollster.votes.block-time}).
 * The server and health defaults every service shares, tests included, are {@link ServerDefaults}.
 */
public final class ServiceDefaults {

    private ServiceDefaults() {}

    public static Map<String, Object> of(String applicationName, int port) {
        return Map.of(
                "spring.application.name", applicationName,
                "server.port", port,
                "management.endpoints.web.exposure.include", "health,info,prometheus",
                "spring.mvc.problemdetails.enabled", "true",
                "spring.datasource.hikari.connection-timeout", "5000",
                "spring.data.redis.timeout", "5s",
                // on a Redis Cluster: follow a failover or a resharding (redirects, lost nodes) at once,
                // and at least every 30 s; unused on a single Redis
                "spring.data.redis.lettuce.cluster.refresh.adaptive", "true",
                "spring.data.redis.lettuce.cluster.refresh.period", "30s");
    }
}
