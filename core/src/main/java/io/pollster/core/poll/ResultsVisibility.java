package io.pollster.core.poll;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Optional;

/**
 * When a poll's counts may be shown to a viewer other than its creator (docs/api.md, {@code
 * results_visibility}); {@code io.pollster.core.results.ResultsAccess} applies it. The {@link #value()} is
 * the JSON and the {@code polls.results_visibility} column.
 */
public enum ResultsVisibility {
    /** To everyone, at any time. */
    ALWAYS("always"),
    /** To a viewer whose vote on the poll was accepted. */
    AFTER_VOTE("after_vote"),
    /** To everyone once the poll is closed. */
    AFTER_CLOSE("after_close");

    private final String value;

    ResultsVisibility(String value) {
        this.value = value;
    }

    @JsonValue
    public String value() {
        return value;
    }

    /** The setting of this JSON or column value, if it is one. */
    public static Optional<ResultsVisibility> of(String value) {
        return Arrays.stream(values()).filter(v -> v.value.equals(value)).findFirst();
    }
}
