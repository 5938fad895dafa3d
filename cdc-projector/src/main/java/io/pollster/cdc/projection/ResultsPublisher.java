package io.pollster.cdc.projection;

import io.pollster.core.json.PollsterJson;
import io.pollster.core.redis.RedisKeys;
import io.pollster.core.results.Results;
import io.pollster.core.results.ResultsMessage;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/** Publishes a poll's Results message on {@code poll:{id}:updates}, where the live gateways listen. */
@Component
@ConditionalOnBooleanProperty(name = "pollster.cdc.enabled", matchIfMissing = true)
class ResultsPublisher {

    private final StringRedisTemplate redis;

    ResultsPublisher(StringRedisTemplate redis) {
        this.redis = redis;
    }

    void publish(Results results) {
        redis.convertAndSend(
                RedisKeys.updates(results.pollId()),
                PollsterJson.mapper().writeValueAsString(ResultsMessage.of(results)));
    }
}
