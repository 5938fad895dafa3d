package io.pollster.core;

import io.pollster.core.json.PollsterJson;
import io.pollster.core.poll.PollDefinitions;
import io.pollster.core.redis.RedisEvictionCheck;
import io.pollster.core.redis.RedisSafetyProperties;
import io.pollster.core.redis.Shards;
import io.pollster.core.results.CountsStore;
import io.pollster.core.results.ResultsAccess;
import io.pollster.core.results.ResultsReader;
import io.pollster.core.stream.ConsumerNames;
import io.pollster.core.stream.StreamConsumers;
import java.time.Clock;
import javax.sql.DataSource;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * What every Pollster service gets from {@code core}: its JSON conventions, the shard function and, where
 * PostgreSQL and Redis are configured, the read path of polls and results; where Redis is, the
 * stream consumers and the refusal of a Redis that may evict keys.
 */
@AutoConfiguration(
        afterName = {
            "org.springframework.boot.jdbc.autoconfigure.JdbcClientAutoConfiguration",
            "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration"
        })
@EnableConfigurationProperties({CoreProperties.class, RedisSafetyProperties.class})
public class CoreAutoConfiguration {

    @Bean
    JsonMapperBuilderCustomizer pollsterJsonConventions() {
        return PollsterJson::configure;
    }

    @Bean
    Shards shards(CoreProperties properties) {
        return new Shards(properties.shards());
    }

    @Bean
    @ConditionalOnMissingBean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBean(RedisConnectionFactory.class)
    static class RedisConfiguration {

        @Bean
        RedisEvictionCheck redisEvictionCheck(RedisConnectionFactory redis, RedisSafetyProperties properties) {
            return new RedisEvictionCheck(redis, properties);
        }

        @Bean
        StreamConsumers streamConsumers(
                RedisConnectionFactory redis, CoreProperties properties, Environment environment) {
            return new StreamConsumers(
                    redis,
                    ConsumerNames.resolve(
                            properties.consumerName(), environment.getProperty("server.port", Integer.class, 8080)));
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBean({DataSource.class, RedisConnectionFactory.class})
    static class ReadPathConfiguration {

        @Bean
        PollDefinitions pollDefinitions(JdbcClient jdbc) {
            return new PollDefinitions(jdbc);
        }

        @Bean
        CountsStore countsStore(StringRedisTemplate redis) {
            return new CountsStore(redis);
        }

        @Bean
        ResultsReader resultsReader(CountsStore counts, JdbcClient jdbc, Clock clock) {
            return new ResultsReader(counts, jdbc, clock);
        }

        @Bean
        ResultsAccess resultsAccess(StringRedisTemplate redis, Shards shards, JdbcClient jdbc, Clock clock) {
            return new ResultsAccess(redis, shards, jdbc, clock);
        }
    }
}
