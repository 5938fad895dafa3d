package io.pollster.api.mine;

import io.pollster.core.poll.ResultsVisibility;
import io.pollster.core.poll.Voters;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** The answer of {@code GET /api/me/polls}: a page of the caller's polls and where the next one starts. */
record MyPollsPage(List<PollSummary> items, String nextCursor) {

    MyPollsPage {
        items = List.copyOf(items);
    }

    /** A Poll of docs/api.md without its questions, with the number of votes it has. */
    record PollSummary(
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
            long totalVotes) {}
}
