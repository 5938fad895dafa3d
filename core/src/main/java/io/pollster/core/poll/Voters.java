package io.pollster.core.poll;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Optional;

/**
 * Who may vote in a poll and how two votes are told to come from the same voter (docs/api.md, {@code
 * voters}). The {@link #value()} is the JSON and the {@code polls.voters} column.
 */
public enum Voters {
    /** One vote per authenticated user per question. */
    USER("user"),
    /** Anonymous: one vote per {@code X-Device-Id} per question. */
    DEVICE("device"),
    /** Anonymous: one vote per client IP per question. */
    IP("ip");

    private final String value;

    Voters(String value) {
        this.value = value;
    }

    @JsonValue
    public String value() {
        return value;
    }

    /** Whether votes need no authenticated user. */
    public boolean anonymous() {
        return this != USER;
    }

    /** The setting of this JSON or column value, if it is one. */
    public static Optional<Voters> of(String value) {
        return Arrays.stream(values()).filter(v -> v.value.equals(value)).findFirst();
    }
}
