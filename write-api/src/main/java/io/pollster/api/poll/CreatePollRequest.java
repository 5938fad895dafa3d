package io.pollster.api.poll;

import java.time.Instant;
import java.util.List;

/** Body of {@code POST /api/polls}; checked by {@link CreatePollValidation}, not by annotations. */
record CreatePollRequest(String title, String description, Instant closesAt, List<QuestionRequest> questions) {

    record QuestionRequest(String text, List<String> choices) {}
}
