package io.pollster.core.vote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class VoteIdsTest {

    @Test
    void aVoteIdIsAVersion7UuidOfItsMillisecond() {
        Instant submitted = Instant.parse("2026-12-02T04:05:06.789123Z");

        UUID id = VoteIds.mint(submitted);

        assertThat(id.version()).isEqualTo(7);
        assertThat(id.variant()).isEqualTo(2);
        assertThat(VoteIds.millis(id)).isEqualTo(submitted.toEpochMilli());
        assertThat(VoteIds.isTimeOrdered(id)).isTrue();
        // the 48-bit big-endian millisecond is the first 12 hex digits of the text form (RFC 9562)
        assertThat(id.toString().replace("-", "").substring(0, 12))
                .isEqualTo(String.format("%012x", submitted.toEpochMilli()));
        assertThat(id.toString().charAt(14)).isEqualTo('7');
    }

    @Test
    void idsOfLaterMillisecondsSortLaterInTheirTextAndAsUnsignedBytes() {
        long start = Instant.parse("2026-12-02T00:00:00Z").toEpochMilli();
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            ids.add(VoteIds.mint(Instant.ofEpochMilli(start + i)));
        }
        for (int i = 1; i < ids.size(); i++) {
            // PostgreSQL compares uuid values byte by byte, as their text compares
            assertThat(ids.get(i - 1).toString()).isLessThan(ids.get(i).toString());
        }
    }

    @Test
    void idsOfOneMillisecondAreDistinctAndKeepTheirRandomBits() {
        Instant now = Instant.now();
        Set<UUID> ids = new HashSet<>();
        Set<Long> randomHighBits = new HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            UUID id = VoteIds.mint(now);
            ids.add(id);
            randomHighBits.add(id.getMostSignificantBits() & 0x0FFFL);
        }
        assertThat(ids).hasSize(100_000);
        // 12 random bits after the version: all 4,096 values show up in 100,000 draws
        assertThat(randomHighBits).hasSize(4_096);
    }

    @Test
    void randomUuidsAreNotTakenForTimeOrderedOnes() {
        assertThat(VoteIds.isTimeOrdered(UUID.randomUUID())).isFalse();
        assertThat(VoteIds.isTimeOrdered(UUID.nameUUIDFromBytes(new byte[] {1})))
                .isFalse();
    }

    @Test
    void aMillisecondOutsideTheRfcRangeIsRefused() {
        assertThatThrownBy(() -> VoteIds.mint(Instant.ofEpochMilli(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> VoteIds.mint(Instant.ofEpochMilli(1L << 48)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
