package io.pollster.api.export;

import io.pollster.core.csv.CsvWriter;
import io.pollster.core.poll.PollDefinition;
import io.pollster.core.results.Results;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The CSV of {@code GET /api/polls/{id}/results.csv}: one row per choice, questions in their order and
 * choices in theirs, with the texts of the poll's definition beside the counts of its results. A poll has
 * at most 20 × 20 choices, so the file is built whole.
 */
final class ResultsCsv {

    static final String[] HEADER = {"question_id", "question", "choice_id", "choice", "count"};

    private ResultsCsv() {}

    static String of(PollDefinition poll, Results results) {
        Map<UUID, Long> counts = new HashMap<>();
        results.questions().forEach(q -> q.choices().forEach(c -> counts.put(c.choiceId(), c.count())));
        StringWriter text = new StringWriter();
        CsvWriter csv = new CsvWriter(text);
        try {
            csv.row(HEADER);
            for (PollDefinition.Question question : poll.questions()) {
                for (PollDefinition.Choice choice : question.choices()) {
                    csv.row(
                            question.questionId().toString(),
                            question.text(),
                            choice.choiceId().toString(),
                            choice.text(),
                            Long.toString(counts.getOrDefault(choice.choiceId(), 0L)));
                }
            }
        } catch (IOException cannotHappen) {
            throw new UncheckedIOException(cannotHappen);
        }
        return text.toString();
    }
}
