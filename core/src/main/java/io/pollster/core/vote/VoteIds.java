package io.pollster.core.vote;

import java.time.Instant;
import java.util.UUID;

/**
 * Mints vote ids as RFC 9562 version 7 UUIDs: the first 48 bits are the Unix time in milliseconds, so
 * ids minted later sort later and a vote's rows land at the end of PostgreSQL's B-tree indexes instead
 * of on random pages. The other 74 bits are {@link UUID#randomUUID()}'s, from the JVM's secure random
 * source, so a vote id is as hard to guess as before. Ids of one millisecond are not ordered among
 * themselves (RFC 9562 makes that optional); that is enough for index locality.
 */
public final class VoteIds {

    private static final long TIMESTAMP_MASK = 0xFFFF_FFFF_FFFFL;
    private static final int VERSION = 7;

    private VoteIds() {}

    /** A new vote id stamped with the millisecond of {@code submittedAt} (the vote's {@code submitted_at}). */
    public static UUID mint(Instant submittedAt) {
        return of(submittedAt.toEpochMilli(), UUID.randomUUID());
    }

    /** The version 7 UUID of {@code millis} with the random bits of {@code random}. */
    static UUID of(long millis, UUID random) {
        if (millis < 0 || millis > TIMESTAMP_MASK) {
            throw new IllegalArgumentException("a version 7 UUID holds 48-bit milliseconds, not " + millis);
        }
        long msb = (millis << 16) | ((long) VERSION << 12) | (random.getMostSignificantBits() & 0x0FFFL);
        // randomUUID already carries the RFC 9562 variant (0b10) in the top bits of the low half
        return new UUID(msb, random.getLeastSignificantBits());
    }

    /** Whether {@code id} is a version 7 UUID of the RFC 9562 variant, as {@link #mint} mints. */
    public static boolean isTimeOrdered(UUID id) {
        return id.version() == VERSION && id.variant() == 2;
    }

    /** The millisecond a version 7 id was minted at (its first 48 bits). */
    public static long millis(UUID id) {
        return id.getMostSignificantBits() >>> 16;
    }
}
