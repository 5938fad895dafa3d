package io.pollster.core;

import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Web server and operations defaults of every Pollster service, below everything the user configures
 * (tests run with them too):
 *
 * <ul>
 *   <li>the client's address is taken from {@code X-Forwarded-For} only when the request comes from a
 *       trusted proxy, {@code server.tomcat.remoteip.internal-proxies}: loopback by default, so a
 *       client that reaches a service directly can never choose the address the rate limits key on;
 *       a deployment behind a load balancer lists the balancer's network (docker-compose does);
 *   <li>health details (component names, versions, error texts) only to an authorized caller; the
 *       liveness and readiness groups, status only, to anyone.
 * </ul>
 */
class ServerDefaults implements EnvironmentPostProcessor {

    static final String LOOPBACK = "127.0.0.0/8, ::1/128";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        environment
                .getPropertySources()
                .addLast(new MapPropertySource(
                        "pollsterServerDefaults",
                        Map.of(
                                "server.forward-headers-strategy", "native",
                                "server.tomcat.remoteip.internal-proxies", LOOPBACK,
                                "server.tomcat.remoteip.remote-ip-header", "X-Forwarded-For",
                                "management.endpoint.health.show-details", "when-authorized",
                                "management.endpoint.health.roles", "SCOPE_operations",
                                "management.endpoint.health.probes.enabled", "true")));
    }
}
