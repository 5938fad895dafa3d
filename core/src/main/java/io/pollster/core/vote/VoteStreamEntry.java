package io.pollster.core.vote;

import io.pollster.core.events.VoteEvent;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The fields of one entry of {@code poll:votes:stream-{N}}: a {@link VoteEvent} in snake_case, one
 * entry per answer. write-api's vote Lua script writes the same names.
 */
public final class VoteStreamEntry {

    public static final String VOTE_ID = "vote_id";
    public static final String POLL_ID = "poll_id";
    public static final String QUESTION_ID = "question_id";
    public static final String CHOICE_ID = "choice_id";
    public static final String USER_ID = "user_id";
    public static final String SUBMITTED_AT = "submitted_at";

    private VoteStreamEntry() {}

    public static Map<String, String> fields(VoteEvent event) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put(VOTE_ID, event.voteId().toString());
        fields.put(POLL_ID, event.pollId().toString());
        fields.put(QUESTION_ID, event.questionId().toString());
        fields.put(CHOICE_ID, event.choiceId().toString());
        fields.put(USER_ID, event.userId().toString());
        fields.put(SUBMITTED_AT, event.submittedAt().toString());
        return fields;
    }

    /**
     * Reads an entry back.
     *
     * @throws IllegalArgumentException when a field is missing or unreadable
     */
    public static VoteEvent event(Map<String, String> fields) {
        try {
            return new VoteEvent(
                    uuid(fields, VOTE_ID),
                    uuid(fields, POLL_ID),
                    uuid(fields, QUESTION_ID),
                    uuid(fields, CHOICE_ID),
                    uuid(fields, USER_ID),
                    Instant.parse(required(fields, SUBMITTED_AT)));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("unreadable vote entry " + fields + ": " + e.getMessage(), e);
        }
    }

    private static UUID uuid(Map<String, String> fields, String name) {
        return UUID.fromString(required(fields, name));
    }

    private static String required(Map<String, String> fields, String name) {
        String value = fields.get(name);
        if (value == null) {
            throw new IllegalArgumentException("missing " + name);
        }
        return value;
    }
}
