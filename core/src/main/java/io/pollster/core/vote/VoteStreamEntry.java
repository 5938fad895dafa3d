package io.pollster.core.vote;

import io.pollster.core.events.AcceptedVote;
import io.pollster.core.events.VoteEvent;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The fields of one entry of {@code poll:votes:stream-{N}}: one whole vote ({@link AcceptedVote}) in
 * snake_case, its answers in one field. write-api's vote Lua script writes the same names.
 *
 * <p>{@value #ANSWERS} holds every (question, choice) of the vote in request order, as
 * {@code <question_id>:<choice_id>} pairs joined by {@code ,} (UUIDs in their 36-character form), e.g.
 * {@code q1:c1,q2:c2,q2:c3} for a single-choice answer and two choices of a multi-choice question.
 *
 * <p>Entries written before one entry carried a whole vote hold one answer each, in
 * {@value #QUESTION_ID} and {@value #CHOICE_ID} instead of {@value #ANSWERS}; such entries can still
 * be in a stream when a new version starts (a rolling upgrade, a crash), so {@link #events} reads both.
 */
public final class VoteStreamEntry {

    public static final String VOTE_ID = "vote_id";
    public static final String POLL_ID = "poll_id";
    public static final String USER_ID = "user_id";
    public static final String SUBMITTED_AT = "submitted_at";
    /** Every answer of the vote: {@code <question_id>:<choice_id>} pairs joined by {@code ,}. */
    public static final String ANSWERS = "answers";
    /** Only in entries of anonymous votes whose address is kept; absent otherwise. */
    public static final String IP_ADDRESS = "ip_address";
    /** The one answer of an entry in the per-answer format written before {@value #ANSWERS}. */
    public static final String QUESTION_ID = "question_id";
    /** The one answer of an entry in the per-answer format written before {@value #ANSWERS}. */
    public static final String CHOICE_ID = "choice_id";

    private static final char PAIR = ':';
    private static final char SEPARATOR = ',';
    private static final int UUID_LENGTH = 36;

    private VoteStreamEntry() {}

    /** The entry of a whole vote, as the vote script writes it. */
    public static Map<String, String> fields(AcceptedVote vote) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put(VOTE_ID, vote.voteId().toString());
        fields.put(POLL_ID, vote.pollId().toString());
        fields.put(USER_ID, vote.userId().toString());
        fields.put(SUBMITTED_AT, vote.submittedAt().toString());
        fields.put(ANSWERS, answers(vote.answers()));
        if (vote.ipAddress() != null) {
            fields.put(IP_ADDRESS, vote.ipAddress());
        }
        return fields;
    }

    /** The value of {@value #ANSWERS} for these answers, in their order. */
    public static String answers(List<AcceptedVote.Answer> answers) {
        StringBuilder text = new StringBuilder(answers.size() * (2 * UUID_LENGTH + 2));
        for (AcceptedVote.Answer answer : answers) {
            if (!text.isEmpty()) {
                text.append(SEPARATOR);
            }
            text.append(answer.questionId()).append(PAIR).append(answer.choiceId());
        }
        return text.toString();
    }

    /**
     * An entry in the per-answer format that versions before {@value #ANSWERS} wrote: one answer, in
     * {@value #QUESTION_ID} and {@value #CHOICE_ID}. Only for tests and tools that show such entries are
     * still read; nothing in Pollster writes it any more.
     */
    public static Map<String, String> perAnswerFields(VoteEvent event) {
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
     * Reads an entry back as the rows it becomes: one event per answer of the vote, in its order (an
     * entry of the per-answer format: its one answer).
     *
     * @throws IllegalArgumentException when a field is missing or unreadable, or a vote has no answer
     */
    public static List<VoteEvent> events(Map<String, String> fields) {
        try {
            UUID voteId = uuid(fields, VOTE_ID);
            UUID pollId = uuid(fields, POLL_ID);
            UUID userId = uuid(fields, USER_ID);
            Instant submittedAt = instant(required(fields, SUBMITTED_AT));
            String ipAddress = fields.get(IP_ADDRESS);
            String answers = fields.get(ANSWERS);
            if (answers == null) {
                return List.of(new VoteEvent(
                        voteId,
                        pollId,
                        uuid(fields, QUESTION_ID),
                        uuid(fields, CHOICE_ID),
                        userId,
                        submittedAt,
                        ipAddress));
            }
            List<VoteEvent> events = new ArrayList<>();
            for (AcceptedVote.Answer answer : parseAnswers(answers)) {
                events.add(new VoteEvent(
                        voteId, pollId, answer.questionId(), answer.choiceId(), userId, submittedAt, ipAddress));
            }
            return events;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("unreadable vote entry " + fields + ": " + e.getMessage(), e);
        }
    }

    /** Reads {@link #answers}' form back; at least one answer. */
    static List<AcceptedVote.Answer> parseAnswers(String text) {
        List<AcceptedVote.Answer> answers = new ArrayList<>();
        int position = 0;
        int length = text.length();
        while (true) {
            int pair = text.indexOf(PAIR, position);
            if (pair < 0) {
                throw new IllegalArgumentException("an answer without " + PAIR + " in " + ANSWERS);
            }
            int end = text.indexOf(SEPARATOR, pair + 1);
            if (end < 0) {
                end = length;
            }
            answers.add(new AcceptedVote.Answer(
                    strictUuid(text.substring(position, pair)), strictUuid(text.substring(pair + 1, end))));
            if (end == length) {
                return answers;
            }
            position = end + 1;
        }
    }

    /** {@link UUID#fromString} accepts short forms such as {@code 1-1-1-1-1}; an entry holds only full ones. */
    private static UUID strictUuid(String text) {
        if (text.length() != UUID_LENGTH) {
            throw new IllegalArgumentException("not a UUID: '" + text + "'");
        }
        return UUID.fromString(text);
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
