package io.pollster.embedded;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.DefaultSingletonBeanRegistry;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Starts embedded PostgreSQL and Redis before the application context when
 * {@code pollster.embedded.enabled} is true, and points {@code spring.datasource.*} and
 * {@code spring.data.redis.url} at them. A server the user configured ({@code spring.datasource.url},
 * {@code spring.data.redis.url}, {@code spring.data.redis.host}, a Redis Cluster's
 * {@code spring.data.redis.cluster.nodes} or a sentinel's {@code spring.data.redis.sentinel.nodes}) is
 * used as it is and nothing embedded starts for it. The servers stop when the context closes, after every bean that uses them.
 */
public final class EmbeddedServersInitializer implements ApplicationContextInitializer<ConfigurableApplicationContext> {

    static final String PROPERTY_SOURCE = "pollsterEmbeddedServers";
    static final String BEAN_NAME = "embeddedServers";

    @Override
    public void initialize(ConfigurableApplicationContext context) {
        ConfigurableEnvironment environment = context.getEnvironment();
        EmbeddedProperties properties =
                Binder.get(environment).bindOrCreate("pollster.embedded", EmbeddedProperties.class);
        if (!properties.enabled()) {
            return;
        }
        boolean withPostgres = !environment.containsProperty("spring.datasource.url");
        boolean withRedis = !environment.containsProperty("spring.data.redis.url")
                && !environment.containsProperty("spring.data.redis.host")
                && !environment.containsProperty("spring.data.redis.cluster.nodes")
                && !environment.containsProperty("spring.data.redis.sentinel.nodes");
        if (!withPostgres && !withRedis) {
            return;
        }
        EmbeddedServers servers = EmbeddedServers.start(properties, withPostgres, withRedis);
        Map<String, Object> connection = new LinkedHashMap<>();
        servers.postgres().ifPresent(postgres -> {
            connection.put("spring.datasource.url", postgres.jdbcUrl());
            connection.put("spring.datasource.username", postgres.username());
            connection.put("spring.datasource.password", "");
        });
        servers.redis().ifPresent(redis -> connection.put("spring.data.redis.url", redis.url()));
        environment.getPropertySources().addFirst(new MapPropertySource(PROPERTY_SOURCE, connection));
        // registered before any other bean, so destroyed after all of them
        ConfigurableListableBeanFactory beans = context.getBeanFactory();
        beans.registerSingleton(BEAN_NAME, servers);
        if (beans instanceof DefaultSingletonBeanRegistry registry) {
            registry.registerDisposableBean(BEAN_NAME, servers::close);
        } else {
            context.addApplicationListener((ApplicationListener<ContextClosedEvent>) closed -> servers.close());
        }
    }
}
