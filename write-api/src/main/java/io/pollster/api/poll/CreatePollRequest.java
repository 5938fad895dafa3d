package io.pollster.api.poll;

import java.time.Instant;
import java.util.List;

/**
 * Body of {@code POST /api/polls}; checked by {@link CreatePollValidation}, not by annotations. The settings
 * are text, not enums, so an unknown value is a {@code validation} problem naming its field rather than an
 * unreadable body; absent settings take their defaults.
 */
record CreatePollRequest(
        String title,
        String description,
        Instant closesAt,
        String voters,
        String resultsVisibility,
        List<QuestionRequest> questions) {

    record QuestionRequest(String text, List<String> choices, Integer minChoices, Integer maxChoices) {

        /** A single-choice question. */
        QuestionRequest(String text, List<String> choices) {
            this(text, choices, null, null);
        }

        int minChoicesOrDefault() {
            return minChoices == null ? 1 : minChoices;
        }

        int maxChoicesOrDefault() {
            return maxChoices == null ? 1 : maxChoices;
        }
    }

    /** A poll with the default settings. */
    CreatePollRequest(String title, String description, Instant closesAt, List<QuestionRequest> questions) {
        this(title, description, closesAt, null, null, questions);
    }
}
