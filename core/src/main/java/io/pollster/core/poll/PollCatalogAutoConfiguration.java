package io.pollster.core.poll;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.pollster.core.CoreAutoConfiguration;
import java.time.Clock;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.StringRedisTemplate;

/** The cached poll lookup, wherever core's read path exists (PostgreSQL and Redis configured). */
@AutoConfiguration(after = CoreAutoConfiguration.class)
@ConditionalOnBean(PollDefinitions.class)
@EnableConfigurationProperties(PollCatalogProperties.class)
public class PollCatalogAutoConfiguration {

    @Bean
    PollCatalog pollCatalog(
            PollDefinitions definitions, StringRedisTemplate redis, Clock clock, PollCatalogProperties properties) {
        return new PollCatalog(definitions, redis, clock, properties);
    }

    /** {@code pollster.poll.catalog.negative{result=hit|miss}}: lookups of unknown polls. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(MeterBinder.class)
    static class Metrics {

        @Bean
        MeterBinder pollCatalogMetrics(PollCatalog catalog) {
            return registry -> {
                FunctionCounter.builder("pollster.poll.catalog.negative", catalog, PollCatalog::negativeHits)
                        .tag("result", "hit")
                        .description("lookups of unknown polls answered from the negative cache")
                        .register(registry);
                FunctionCounter.builder("pollster.poll.catalog.negative", catalog, PollCatalog::negativeMisses)
                        .tag("result", "miss")
                        .description("lookups of unknown polls that queried PostgreSQL")
                        .register(registry);
            };
        }
    }
}
