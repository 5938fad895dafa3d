package io.pollster.core.poll;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * A poll as created: immutable but for {@code closedAt}. What every service needs to validate a vote or
 * to show every choice of a poll's results.
 */
public record PollDefinition(
        UUID pollId,
        String slug,
        UUID creatorId,
        String title,
        String description,
        Instant createdAt,
        Instant closesAt,
        Instant closedAt,
        List<Question> questions) {

    public PollDefinition {
        questions = List.copyOf(questions);
    }

    /** Closed by its creator, or past its {@code closesAt}. */
    public boolean isClosedAt(Instant now) {
        return closedAt != null || (closesAt != null && !now.isBefore(closesAt));
    }

    public Optional<Question> question(UUID questionId) {
        return questions.stream().filter(q -> q.questionId().equals(questionId)).findFirst();
    }

    /** The same poll with {@code closedAt} set (the one change a poll allows). */
    public PollDefinition closed(Instant at) {
        return new PollDefinition(pollId, slug, creatorId, title, description, createdAt, closesAt, at, questions);
    }

    public record Question(UUID questionId, String text, int order, List<Choice> choices) {
        public Question {
            choices = List.copyOf(choices);
        }

        public boolean hasChoice(UUID choiceId) {
            return choices.stream().anyMatch(c -> c.choiceId().equals(choiceId));
        }
    }

    public record Choice(UUID choiceId, String text) {}
}
