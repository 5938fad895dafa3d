package io.pollster.cdc.projection;

import io.pollster.core.json.PollsterJson;
import io.pollster.core.redis.RedisKeys;
import io.pollster.core.results.Results;
import io.pollster.core.results.ResultsMessage;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.stereotype.Component;

/**
 * Publishes a poll's Results message on {@code poll:{id}:updates}, where the live gateways listen, with
 * sharded pub/sub ({@code SPUBLISH}): on a Redis Cluster the message goes to the node owning the
 * channel's slot and stays there, instead of being copied to every node as {@code PUBLISH} is; on a
 * single Redis it behaves as {@code PUBLISH}. {@code RedisTemplate} has no {@code SPUBLISH}, hence the
 * projector's own Lettuce connection.
 */
@Component
@ConditionalOnBooleanProperty(name = "pollster.cdc.enabled", matchIfMissing = true)
class ResultsPublisher {

    private final ProjectorRedis redis;

    ResultsPublisher(ProjectorRedis redis) {
        this.redis = redis;
    }

    /** Publishes and waits for Redis to take the message; throws if it could not. */
    void publish(Results results) {
        redis.connection()
                .sync()
                .spublish(
                        RedisKeys.updates(results.pollId()),
                        PollsterJson.mapper().writeValueAsString(ResultsMessage.of(results)));
    }
}
