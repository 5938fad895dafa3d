package io.pollster.core.results;

import io.pollster.core.json.PollsterJson;
import java.util.List;
import java.util.UUID;

/**
 * The live results message of docs/api.md: the Results fields plus {@code "type": "results"}. The projector
 * publishes it on {@code poll:{id}:updates}; the live gateway forwards it to viewers.
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

    public Results toResults() {
        return new Results(pollId, version, closed, totalVotes, questions);
    }

    /** The message as published and sent (snake_case JSON). */
    public String toJson() {
        return PollsterJson.mapper().writeValueAsString(this);
    }

    public static ResultsMessage fromJson(String json) {
        return PollsterJson.mapper().readValue(json, ResultsMessage.class);
    }
}
