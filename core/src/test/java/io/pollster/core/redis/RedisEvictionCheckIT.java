package io.pollster.core.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.pollster.core.CoreAutoConfiguration;
import io.pollster.embedded.EmbeddedRedisServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * A service refuses to start on a Redis that may evict keys: a real redis-server of its own (the shared
 * test Redis keeps its policy), switched with CONFIG SET.
 */
class RedisEvictionCheckIT {

    private static EmbeddedRedisServer server;
    private static LettuceConnectionFactory admin;

    private final ApplicationContextRunner services = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class, CoreAutoConfiguration.class))
            .withPropertyValues("spring.data.redis.url=" + server.url(), "pollster.redis.startup-wait=5s");

    @BeforeAll
    static void startRedis() throws IOException {
        Path dir = Files.createTempDirectory("pollster-eviction-it-");
        server = new EmbeddedRedisServer(dir, 0, false).start();
        admin = new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", server.port()));
        admin.afterPropertiesSet();
        admin.start();
    }

    @AfterAll
    static void stopRedis() {
        admin.destroy();
        server.stop();
    }

    @Test
    void startsOnNoEviction() {
        policy("noeviction");

        services.run(context -> assertThat(context).hasNotFailed().hasSingleBean(RedisEvictionCheck.class));
    }

    @ParameterizedTest
    @ValueSource(strings = {"allkeys-lru", "allkeys-lfu", "allkeys-random", "volatile-lru", "volatile-ttl"})
    void refusesToStartOnAPolicyThatCanEvictKeys(String policy) {
        policy(policy);
        try {
            services.run(context -> {
                assertThat(context).hasFailed();
                assertThat(context.getStartupFailure())
                        .rootCause()
                        .hasMessageContaining(policy)
                        .hasMessageContaining("maxmemory-policy noeviction");
            });
        } finally {
            policy("noeviction");
        }
    }

    @Test
    void theCheckCanBeTurnedOffWhereConfigIsUnavailable() {
        policy("allkeys-lru");
        try {
            services.withPropertyValues("pollster.redis.require-no-eviction=false")
                    .run(context -> assertThat(context).hasNotFailed());
        } finally {
            policy("noeviction");
        }
    }

    private static void policy(String policy) {
        try (RedisConnection connection = admin.getConnection()) {
            connection.serverCommands().setConfig("maxmemory-policy", policy);
            assertThat(connection.serverCommands().getConfig("maxmemory-policy"))
                    .containsEntry("maxmemory-policy", policy);
        }
    }
}
