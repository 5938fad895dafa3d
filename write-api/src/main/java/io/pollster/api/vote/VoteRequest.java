package io.pollster.api.vote;

import java.util.List;
import java.util.UUID;

/**
 * Body of {@code POST /api/polls/{poll_id}/votes}: one answer per chosen choice (a multi-choice question appears
 * once per choice), all accepted or none.
 */
record VoteRequest(List<Answer> answers) {

    record Answer(UUID questionId, UUID choiceId) {}
}
