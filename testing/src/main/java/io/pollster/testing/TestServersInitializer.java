package io.pollster.testing;

import java.util.Map;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;

/** Points a test's application context at {@link TestServers}. */
public final class TestServersInitializer implements ApplicationContextInitializer<ConfigurableApplicationContext> {

    @Override
    public void initialize(ConfigurableApplicationContext context) {
        TestServers servers = TestServers.get();
        context.getEnvironment()
                .getPropertySources()
                .addFirst(new MapPropertySource(
                        "pollsterTestServers",
                        Map.of(
                                "spring.datasource.url", servers.jdbcUrl(),
                                "spring.datasource.username", servers.username(),
                                "spring.datasource.password", servers.password(),
                                "spring.data.redis.url", servers.redisUrl(),
                                "pollster.embedded.enabled", "false")));
    }
}
