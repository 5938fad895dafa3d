package io.pollster.api.poll;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.pollster.core.poll.PollDefinition;
import io.pollster.core.poll.ResultsVisibility;
import io.pollster.core.poll.Voters;
import io.pollster.core.results.Results;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** The Poll of docs/api.md; {@code results} only on {@code GET /api/polls/{id}}. */
record PollView(
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
        List<QuestionView> questions,
        @JsonInclude(JsonInclude.Include.NON_NULL) Results results) {

    record QuestionView(
            UUID questionId, String text, int order, int minChoices, int maxChoices, List<ChoiceView> choices) {}

    record ChoiceView(UUID choiceId, String text) {}

    static PollView of(PollDefinition poll) {
        return of(poll, null);
    }

    static PollView of(PollDefinition poll, Results results) {
        return new PollView(
                poll.pollId(),
                poll.slug(),
                poll.creatorId(),
                poll.title(),
                poll.description(),
                poll.createdAt(),
                poll.closesAt(),
                poll.closedAt(),
                poll.voters(),
                poll.resultsVisibility(),
                poll.questions().stream()
                        .map(q -> new QuestionView(
                                q.questionId(),
                                q.text(),
                                q.order(),
                                q.minChoices(),
                                q.maxChoices(),
                                q.choices().stream()
                                        .map(c -> new ChoiceView(c.choiceId(), c.text()))
                                        .toList()))
                        .toList(),
                results);
    }
}
