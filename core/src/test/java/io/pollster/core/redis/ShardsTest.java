package io.pollster.core.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ShardsTest {

    @Test
    void aPollAlwaysMapsToTheSameShardInRange() {
        Shards shards = new Shards(8);
        UUID poll = UUID.fromString("3f1c2a9e-5b7d-4c1e-9a2b-6d8e0f1a2b3c");
        int shard = shards.of(poll);
        assertThat(shard).isBetween(0, 7).isEqualTo(shards.of(UUID.fromString(poll.toString())));
    }

    @Test
    void randomPollsSpreadOverAllShards() {
        Shards shards = new Shards(8);
        Map<Integer, Integer> perShard = new HashMap<>();
        for (int i = 0; i < 8_000; i++) {
            perShard.merge(shards.of(UUID.randomUUID()), 1, Integer::sum);
        }
        assertThat(perShard).hasSize(8);
        assertThat(perShard.values()).allSatisfy(n -> assertThat(n).isBetween(800, 1200));
    }

    @Test
    void keysOfOneShardShareAHashTag() {
        UUID question = UUID.randomUUID();
        assertThat(RedisKeys.voteStream(3)).isEqualTo("poll:votes:stream-{3}");
        assertThat(RedisKeys.voters(3, question)).isEqualTo("poll:voters:{3}:" + question);
        UUID choice = UUID.randomUUID();
        assertThat(RedisKeys.choiceOfField(RedisKeys.choiceField(choice))).isEqualTo(choice);
    }

    @Test
    void zeroShardsIsRefused() {
        assertThatThrownBy(() -> new Shards(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
