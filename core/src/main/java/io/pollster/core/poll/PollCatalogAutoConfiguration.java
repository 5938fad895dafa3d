package io.pollster.core.poll;

import io.pollster.core.CoreAutoConfiguration;
import java.time.Clock;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
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
}
