package io.pollster.testing;

import java.util.Map;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.Ordered;
import org.springframework.core.env.MapPropertySource;

/**
 * Points a test's application context at {@link TestServers}. It runs before every other initializer:
 * standalone's embedded-servers initializer would otherwise start servers of its own in the module's
 * {@code data} directory before this one says not to, and a second context in the same JVM would then
 * fail on that directory's lock.
 */
public final class TestServersInitializer
        implements ApplicationContextInitializer<ConfigurableApplicationContext>, Ordered {

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }

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
                                "pollster.embedded.enabled", "false",
                                "pollster.identity.anonymous-secret", TestServers.ANONYMOUS_SECRET)));
    }
}
