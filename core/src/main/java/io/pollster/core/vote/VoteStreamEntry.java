package io.pollster.core.vote;

import io.pollster.core.events.VoteEvent;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
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
    /** Only in entries of anonymous votes whose address is kept; absent otherwise. */
    public static final String IP_ADDRESS = "ip_address";

    private VoteStreamEntry() {}

    public static Map<String, String> fields(VoteEvent event) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put(VOTE_ID, event.voteId().toString());
        fields.put(POLL_ID, event.pollId().toString());
        fields.put(QUESTION_ID, event.questionId().toString());
        fields.put(CHOICE_ID, event.choiceId().toString());
        fields.put(USER_ID, event.userId().toString());
        fields.put(SUBMITTED_AT, event.submittedAt().toString());
        if (event.ipAddress() != null) {
            fields.put(IP_ADDRESS, event.ipAddress());
        }
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
                    instant(required(fields, SUBMITTED_AT)),
                    fields.get(IP_ADDRESS));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("unreadable vote entry " + fields + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads {@link Instant#toString()}'s own form ({@code 2026-11-27T18:32:09.180Z}, 0 to 9 fraction
     * digits) directly; anything else goes to {@link Instant#parse}. On JDK 17, {@code Instant.parse}
     * builds a new formatter on every call, which was two thirds of the ingester's cost of reading an
     * entry.
     */
    static Instant instant(String text) {
        int length = text.length();
        if (length < 20
                || length > 30
                || length == 21
                || text.charAt(4) != '-'
                || text.charAt(7) != '-'
                || text.charAt(10) != 'T'
                || text.charAt(13) != ':'
                || text.charAt(16) != ':'
                || text.charAt(length - 1) != 'Z'
                || (length > 20 && text.charAt(19) != '.')) {
            return Instant.parse(text);
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 7);
        int day = digits(text, 8, 10);
        int hour = digits(text, 11, 13);
        int minute = digits(text, 14, 16);
        int second = digits(text, 17, 19);
        int nanos = 0;
        if (length > 20) {
            int fraction = digits(text, 20, length - 1);
            for (int i = length - 1 - 20; i < 9; i++) {
                fraction *= 10;
            }
            nanos = fraction;
        }
        if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0 || nanos < 0) {
            return Instant.parse(text);
        }
        // LocalDateTime.of validates every field (month 13, February 30, hour 24 ... throw)
        return LocalDateTime.of(year, month, day, hour, minute, second, nanos).toInstant(ZoneOffset.UTC);
    }

    /** The decimal number in {@code text[from, to)}, or -1 if a character is not a digit. */
    private static int digits(String text, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            int digit = text.charAt(i) - '0';
            if (digit < 0 || digit > 9) {
                return -1;
            }
            value = value * 10 + digit;
        }
        return value;
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
