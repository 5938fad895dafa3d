package io.pollster.live;

import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Server defaults a fan-out node needs, below everything the user configures:
 *
 * <ul>
 *   <li>Tomcat accepts 8,192 connections by default; a node is meant to hold tens of thousands of idle
 *       viewers, each one socket.
 *   <li>The opening handshake is bounded: a request head over 8 KiB gets 400, and a client that stops
 *       sending it is dropped after 10 s without a byte (Tomcat's 60 s default let a slow client hold a
 *       connection six times longer). Upgraded connections have no such timeout: the pong timeout is theirs.
 * </ul>
 */
class LiveGatewayDefaults implements EnvironmentPostProcessor {

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        environment
                .getPropertySources()
                .addLast(new MapPropertySource(
                        "pollsterLiveGatewayDefaults",
                        Map.of(
                                "server.tomcat.max-connections", 20_000,
                                "server.tomcat.connection-timeout", "10s",
                                "server.max-http-request-header-size", "8KB")));
    }
}
