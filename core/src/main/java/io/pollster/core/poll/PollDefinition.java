package io.pollster.core.poll;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * A poll as created: immutable but for {@code closedAt}. What every service needs to validate a vote or
 * to show every choice of a poll's results, and who may see them ({@link #resultsVisibility}).
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
        Voters voters,
        ResultsVisibility resultsVisibility,
        List<Question> questions) {

    public PollDefinition {
        // absent from a copy cached by a version without these settings: its poll has the defaults
        voters = voters == null ? Voters.USER : voters;
        resultsVisibility = resultsVisibility == null ? ResultsVisibility.ALWAYS : resultsVisibility;
        questions = List.copyOf(questions);
    }

    /** A poll with the default settings: user voters, results always visible. */
    public PollDefinition(
            UUID pollId,
            String slug,
            UUID creatorId,
            String title,
            String description,
            Instant createdAt,
            Instant closesAt,
            Instant closedAt,
            List<Question> questions) {
        this(
                pollId,
                slug,
                creatorId,
                title,
                description,
                createdAt,
                closesAt,
                closedAt,
                Voters.USER,
                ResultsVisibility.ALWAYS,
                questions);
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
        return new PollDefinition(
                pollId,
                slug,
                creatorId,
                title,
                description,
                createdAt,
                closesAt,
                at,
                voters,
                resultsVisibility,
                questions);
    }

    /**
     * A question: a voter picks between {@code minChoices} and {@code maxChoices} of its distinct choices (1
     * and 1 for a single-choice question).
     */
    public record Question(
            UUID questionId, String text, int order, int minChoices, int maxChoices, List<Choice> choices) {
        public Question {
            choices = List.copyOf(choices);
            // also what makes a cached copy without the bounds unreadable, so it is read again from PostgreSQL
            if (minChoices < 1 || maxChoices < minChoices) {
                throw new IllegalArgumentException(
                        "question " + questionId + " allows " + minChoices + " to " + maxChoices + " choices");
            }
        }

        /** A single-choice question. */
        public Question(UUID questionId, String text, int order, List<Choice> choices) {
            this(questionId, text, order, 1, 1, choices);
        }

        /** Whether a voter may pick more than one choice. */
        public boolean multipleChoice() {
            return maxChoices > 1;
        }

        public boolean hasChoice(UUID choiceId) {
            return choices.stream().anyMatch(c -> c.choiceId().equals(choiceId));
        }
    }

    public record Choice(UUID choiceId, String text) {}
}
