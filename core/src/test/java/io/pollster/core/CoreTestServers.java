package io.pollster.core;

import io.pollster.testing.TestServers;
import java.net.URI;
import org.flywaydb.core.Flyway;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * Core's integration tests run without a Spring context: plain clients on the test servers, migrated
 * once, shared by every test class of the JVM.
 */
public final class CoreTestServers {

    private static JdbcClient jdbc;
    private static StringRedisTemplate redis;

    private CoreTestServers() {}

    public static synchronized JdbcClient jdbc() {
        if (jdbc == null) {
            TestServers servers = TestServers.get();
            DriverManagerDataSource dataSource =
                    new DriverManagerDataSource(servers.jdbcUrl(), servers.username(), servers.password());
            Flyway.configure().dataSource(dataSource).load().migrate();
            jdbc = JdbcClient.create(dataSource);
        }
        return jdbc;
    }

    public static synchronized StringRedisTemplate redis() {
        if (redis == null) {
            URI uri = URI.create(TestServers.get().redisUrl());
            LettuceConnectionFactory connections =
                    new LettuceConnectionFactory(new RedisStandaloneConfiguration(uri.getHost(), uri.getPort()));
            connections.afterPropertiesSet();
            connections.start();
            redis = new StringRedisTemplate(connections);
        }
        return redis;
    }
}
