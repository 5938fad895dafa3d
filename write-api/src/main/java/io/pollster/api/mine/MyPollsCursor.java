package io.pollster.api.mine;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a page of {@code GET /api/me/polls} ends: the {@code (created_at, poll_id)} of its last poll, the
 * next page starting strictly after it in {@code created_at DESC, poll_id DESC} order. Opaque to clients
 * (base64url of {@code v1:<epoch microseconds>:<poll id>}) and checked strictly when read back. It needs no
 * signature: every page is filtered by the caller's own {@code creator_id}, so an edited cursor can only
 * move within the caller's own polls.
 */
record MyPollsCursor(Instant createdAt, UUID pollId) {

    private static final Pattern SHAPE =
            Pattern.compile("v1:(-?[0-9]{1,19}):([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})");
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    String encode() {
        long micros = ChronoUnit.MICROS.between(Instant.EPOCH, createdAt);
        return ENCODER.encodeToString(("v1:" + micros + ":" + pollId).getBytes(StandardCharsets.US_ASCII));
    }

    /** The cursor this text encodes; empty for anything {@link #encode()} cannot have produced. */
    static Optional<MyPollsCursor> decode(String text) {
        if (text.isEmpty() || text.length() > 100) {
            return Optional.empty();
        }
        String decoded;
        try {
            decoded = new String(DECODER.decode(text), StandardCharsets.US_ASCII);
        } catch (IllegalArgumentException notBase64) {
            return Optional.empty();
        }
        Matcher shape = SHAPE.matcher(decoded);
        if (!shape.matches()) {
            return Optional.empty();
        }
        try {
            Instant createdAt = Instant.EPOCH.plus(Long.parseLong(shape.group(1)), ChronoUnit.MICROS);
            MyPollsCursor cursor = new MyPollsCursor(createdAt, UUID.fromString(shape.group(2)));
            // one text per cursor: base64 that decodes to the same bytes with other trailing bits is refused
            return cursor.encode().equals(text) ? Optional.of(cursor) : Optional.empty();
        } catch (ArithmeticException | NumberFormatException | java.time.DateTimeException outOfRange) {
            return Optional.empty();
        }
    }
}
