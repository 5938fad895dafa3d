package io.pollster.core.results;

import io.pollster.core.poll.PollDefinition;
import io.pollster.core.redis.RedisKeys;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * A poll's counters, as {@code choice_counts}, {@code question_voter_counts} and {@code poll_voter_counts}
 * hold them and {@code poll:{id}:counts} projects them: voters per choice, per question and of the poll.
 * Every counter only grows.
 *
 * @param choices voters who picked each choice
 * @param questionVoters voters who answered each question
 * @param pollVoters voters of the poll, or null when unknown (not in this batch, not in Redis)
 */
public record PollCounts(Map<UUID, Long> choices, Map<UUID, Long> questionVoters, Long pollVoters) {

    public PollCounts {
        choices = Map.copyOf(choices);
        questionVoters = Map.copyOf(questionVoters);
    }

    /** Choice counts alone (voters unknown). */
    public static PollCounts ofChoices(Map<UUID, Long> choices) {
        return new PollCounts(choices, Map.of(), null);
    }

    /** The counters of a counts hash, whatever else it holds. */
    public static PollCounts ofHash(Map<String, String> hash) {
        Map<UUID, Long> choices = new HashMap<>(hash.size() * 2);
        Map<UUID, Long> questions = new HashMap<>();
        Long voters = null;
        for (Map.Entry<String, String> field : hash.entrySet()) {
            String name = field.getKey();
            if (RedisKeys.isChoiceField(name)) {
                choices.put(RedisKeys.choiceOfField(name), Long.parseLong(field.getValue()));
            } else if (RedisKeys.isQuestionVotersField(name)) {
                questions.put(RedisKeys.questionOfField(name), Long.parseLong(field.getValue()));
            } else if (RedisKeys.POLL_VOTERS_FIELD.equals(name)) {
                voters = Long.parseLong(field.getValue());
            }
        }
        return new PollCounts(choices, questions, voters);
    }

    /** The counters as fields and values of {@code poll:{id}:counts}. */
    public Map<String, Long> toHash() {
        Map<String, Long> hash = new HashMap<>((choices.size() + questionVoters.size() + 1) * 2);
        choices.forEach((choice, count) -> hash.put(RedisKeys.choiceField(choice), count));
        questionVoters.forEach((question, count) -> hash.put(RedisKeys.questionVotersField(question), count));
        if (pollVoters != null) {
            hash.put(RedisKeys.POLL_VOTERS_FIELD, pollVoters);
        }
        return hash;
    }

    public boolean isEmpty() {
        return choices.isEmpty() && questionVoters.isEmpty() && pollVoters == null;
    }

    /** Whether every counter of the poll is here: each choice, each question and the poll's voters. */
    public boolean coversEveryCounter(PollDefinition poll) {
        return pollVoters != null
                && poll.questions().stream()
                        .allMatch(q -> questionVoters.containsKey(q.questionId())
                                && q.choices().stream().allMatch(c -> choices.containsKey(c.choiceId())));
    }
}
