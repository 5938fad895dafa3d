package io.pollster.core;

import java.util.Map;

/**
 * Defaults every deployable Pollster service starts with, below anything the user configures: its
 * name, its port (API.md) and the operations endpoints it exposes. The server and health defaults every
 * service shares, tests included, are {@link ServerDefaults}.
 */
public final class ServiceDefaults {

    private ServiceDefaults() {}

    public static Map<String, Object> of(String applicationName, int port) {
        return Map.of(
                "spring.application.name",
                applicationName,
                "server.port",
                port,
                "management.endpoints.web.exposure.include",
                "health,info,prometheus",
                "spring.mvc.problemdetails.enabled",
                "true");
    }
}
