package io.pollster.core.results;

import io.pollster.core.poll.PollDefinition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Builds the Results of docs/api.md from a poll's definition and its counters: every choice, 0 if unvoted.
 *
 * <ul>
 *   <li>{@code count}: voters who picked the choice.
 *   <li>{@code total} of a question: voters who answered it. For a single-choice question that is the sum of
 *       its choice counts (one choice per voter), as it always was. For a multi-choice question it is its
 *       voter counter, and at least its largest choice count.
 *   <li>{@code total_votes}: voters of the poll, and at least the largest question total.
 *   <li>{@code version}: the sum of all choice counts.
 * </ul>
 *
 * The "at least" bounds hold in the truth; they keep the results coherent where a voter counter is not
 * known yet (counts written by a version without voter counters, a projection that has not caught up).
 */
public final class ResultsAssembler {

    private ResultsAssembler() {}

    /** Results from choice counts alone: voters inferred as the bounds above allow. */
    public static Results assemble(PollDefinition poll, Map<UUID, Long> counts, boolean closed) {
        return assemble(poll, PollCounts.ofChoices(counts), closed);
    }

    public static Results assemble(PollDefinition poll, PollCounts counts, boolean closed) {
        long version = 0;
        long totalVotes = counts.pollVoters() == null ? 0 : counts.pollVoters();
        List<Results.QuestionResults> questions =
                new ArrayList<>(poll.questions().size());
        for (PollDefinition.Question question : poll.questions()) {
            long sum = 0;
            long largest = 0;
            List<Results.ChoiceCount> choices =
                    new ArrayList<>(question.choices().size());
            for (PollDefinition.Choice choice : question.choices()) {
                long count = counts.choices().getOrDefault(choice.choiceId(), 0L);
                sum += count;
                largest = Math.max(largest, count);
                choices.add(new Results.ChoiceCount(choice.choiceId(), count));
            }
            long voters = counts.questionVoters().getOrDefault(question.questionId(), 0L);
            long total = Math.max(voters, question.multipleChoice() ? largest : sum);
            version += sum;
            totalVotes = Math.max(totalVotes, total);
            questions.add(new Results.QuestionResults(question.questionId(), total, choices));
        }
        return new Results(poll.pollId(), version, closed, totalVotes, questions);
    }

    /** Whether {@code counts} has a value for every choice of the poll (a partial hash is a miss). */
    public static boolean coversEveryChoice(PollDefinition poll, Map<UUID, Long> counts) {
        return poll.questions().stream()
                .flatMap(q -> q.choices().stream())
                .allMatch(c -> counts.containsKey(c.choiceId()));
    }
}
