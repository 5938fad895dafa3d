package io.pollster.core.results;

import java.util.List;
import java.util.UUID;

/**
 * Results of a poll as docs/api.md shows them. {@code version} is the total number of answers counted: counts
 * only grow, so a larger version supersedes a smaller one and equal versions carry equal counts.
 */
public record Results(UUID pollId, long version, boolean closed, long totalVotes, List<QuestionResults> questions) {

    public Results {
        questions = List.copyOf(questions);
    }

    public record QuestionResults(UUID questionId, long total, List<ChoiceCount> choices) {
        public QuestionResults {
            choices = List.copyOf(choices);
        }
    }

    public record ChoiceCount(UUID choiceId, long count) {}
}
