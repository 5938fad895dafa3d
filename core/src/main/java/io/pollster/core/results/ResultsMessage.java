package io.pollster.core.results;

import java.util.List;
import java.util.UUID;

/**
 * A Results message as viewers receive it (API.md, "Live results"): the Results fields with
 * {@code "type": "results"}. The projector publishes it on {@code poll:{id}:updates}; the live gateway
 * forwards it as is.
 */
public record ResultsMessage(
        String type,
        UUID pollId,
        long version,
        boolean closed,
        long totalVotes,
        List<Results.QuestionResults> questions) {

    /** The {@code type} of every results message. */
    public static final String TYPE = "results";

    public ResultsMessage {
        questions = List.copyOf(questions);
    }

    public static ResultsMessage of(Results results) {
        return new ResultsMessage(
                TYPE, results.pollId(), results.version(), results.closed(), results.totalVotes(), results.questions());
    }

    public Results results() {
        return new Results(pollId, version, closed, totalVotes, questions);
    }
}
