package io.pollster.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.core.env.MapPropertySource;

/** A Redis given as a cluster or through sentinels is external too: no embedded Redis starts for it. */
class EmbeddedServersInitializerTest {

    @ParameterizedTest
    @ValueSource(strings = {"spring.data.redis.cluster.nodes", "spring.data.redis.sentinel.nodes"})
    void redisClusterOrSentinelNodesStartNoEmbeddedRedis(String nodesProperty) {
        try (GenericApplicationContext context = new GenericApplicationContext()) {
            context.getEnvironment()
                    .getPropertySources()
                    .addFirst(new MapPropertySource(
                            "test",
                            Map.of(
                                    "pollster.embedded.enabled",
                                    "true",
                                    "spring.datasource.url",
                                    "jdbc:postgresql://127.0.0.1:1/external",
                                    nodesProperty,
                                    "127.0.0.1:7000,127.0.0.1:7001")));

            new EmbeddedServersInitializer().initialize(context);

            assertThat(context.getBeanFactory().containsSingleton(EmbeddedServersInitializer.BEAN_NAME))
                    .isFalse();
            assertThat(context.getEnvironment()
                            .getPropertySources()
                            .contains(EmbeddedServersInitializer.PROPERTY_SOURCE))
                    .isFalse();
        }
    }
}
