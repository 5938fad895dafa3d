package io.pollster.core.results;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.UUID;

/**
 * Results of a poll as docs/api.md shows them. {@code version} is the sum of all choice counts: counts only
 * grow, so a larger version supersedes a smaller one and equal versions carry equal counts. {@code
 * totalVotes} counts the poll's voters, a question's {@code total} the voters who answered it.
 *
 * <p>Where {@link ResultsAccess} hides the counts from a viewer, the viewer gets {@link #hidden()}: {@code
 * results_hidden: true}, the totals and no {@code questions}. Visible results carry no {@code
 * results_hidden} field at all.
 *
 * @param questions per question and choice; null only in hidden results
 * @param resultsHidden true in hidden results, null (absent from the JSON) in visible ones
 */
public record Results(
        UUID pollId,
        long version,
        boolean closed,
        long totalVotes,
        @JsonInclude(JsonInclude.Include.NON_NULL) List<QuestionResults> questions,
        @JsonInclude(JsonInclude.Include.NON_NULL) Boolean resultsHidden) {

    public Results {
        questions = questions == null ? null : List.copyOf(questions);
        resultsHidden = Boolean.TRUE.equals(resultsHidden) ? Boolean.TRUE : null;
        if (resultsHidden != null && questions != null) {
            throw new IllegalArgumentException("hidden results carry no questions");
        }
    }

    /** Visible results. */
    public Results(UUID pollId, long version, boolean closed, long totalVotes, List<QuestionResults> questions) {
        this(pollId, version, closed, totalVotes, questions, null);
    }

    /** These results as a viewer who may not see the counts gets them: totals only. */
    public Results hidden() {
        return new Results(pollId, version, closed, totalVotes, null, true);
    }

    /** Whether the counts are hidden in these results. */
    @JsonIgnore
    public boolean isHidden() {
        return resultsHidden != null;
    }

    public record QuestionResults(UUID questionId, long total, List<ChoiceCount> choices) {
        public QuestionResults {
            choices = List.copyOf(choices);
        }
    }

    public record ChoiceCount(UUID choiceId, long count) {}
}
