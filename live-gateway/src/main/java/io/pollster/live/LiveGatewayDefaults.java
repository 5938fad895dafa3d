package io.pollster.live;

import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Server defaults a fan-out node needs, below everything the user configures. Tomcat accepts 8,192
 * connections by default; a node is meant to hold tens of thousands of idle viewers, each one socket.
 */
class LiveGatewayDefaults implements EnvironmentPostProcessor {

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        environment
                .getPropertySources()
                .addLast(new MapPropertySource(
                        "pollsterLiveGatewayDefaults", Map.of("server.tomcat.max-connections", 20_000)));
    }
}
