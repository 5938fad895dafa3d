package io.pollster.core.results;

import io.pollster.core.poll.PollDefinition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Builds the Results of docs/api.md from a poll's definition and its counts: every choice, 0 if unvoted. */
public final class ResultsAssembler {

    private ResultsAssembler() {}

    public static Results assemble(PollDefinition poll, Map<UUID, Long> counts, boolean closed) {
        long total = 0;
        List<Results.QuestionResults> questions =
                new ArrayList<>(poll.questions().size());
        for (PollDefinition.Question question : poll.questions()) {
            long questionTotal = 0;
            List<Results.ChoiceCount> choices =
                    new ArrayList<>(question.choices().size());
            for (PollDefinition.Choice choice : question.choices()) {
                long count = counts.getOrDefault(choice.choiceId(), 0L);
                questionTotal += count;
                choices.add(new Results.ChoiceCount(choice.choiceId(), count));
            }
            total += questionTotal;
            questions.add(new Results.QuestionResults(question.questionId(), questionTotal, choices));
        }
        return new Results(poll.pollId(), total, closed, total, questions);
    }

    /** Whether {@code counts} has a value for every choice of the poll (a partial hash is a miss). */
    public static boolean coversEveryChoice(PollDefinition poll, Map<UUID, Long> counts) {
        return poll.questions().stream()
                .flatMap(q -> q.choices().stream())
                .allMatch(c -> counts.containsKey(c.choiceId()));
    }
}
