package io.pollster.core.vote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pollster.core.events.VoteEvent;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VoteStreamEntryTest {

    @Test
    void everyInstantReadsBackAsInstantParseReadsIt() {
        Random random = new Random(42);
        for (int i = 0; i < 100_000; i++) {
            // whole seconds, millis, micros and nanos: Instant.toString prints 0, 3, 6 or 9 digits
            long seconds = random.nextLong(-62_135_596_800L, 253_402_300_799L);
            int nanos =
                    switch (i % 4) {
                        case 0 -> 0;
                        case 1 -> random.nextInt(1_000) * 1_000_000;
                        case 2 -> random.nextInt(1_000_000) * 1_000;
                        default -> random.nextInt(1_000_000_000);
                    };
            String text = Instant.ofEpochSecond(seconds, nanos).toString();

            assertThat(VoteStreamEntry.instant(text)).as(text).isEqualTo(Instant.parse(text));
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "2026-11-27T18:32:09Z",
                "2026-11-27T18:32:09.1Z",
                "2026-11-27T18:32:09.12Z",
                "2024-02-29T23:59:59.999999999Z",
                "1970-01-01T00:00:00Z",
                "2026-11-27T18:32:09.Z",
                "2026-11-27T18:32:09+01:00",
                "+12026-11-27T18:32:09Z"
            })
    void otherWrittenFormsReadAsInstantParseReadsThem(String text) {
        assertThat(VoteStreamEntry.instant(text)).isEqualTo(Instant.parse(text));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "2026-13-27T18:32:09Z",
                "2026-02-30T18:32:09Z",
                "2026-11-27T24:00:00Z",
                "2026-11-27T18:3x:09Z",
                "yesterday"
            })
    void unreadableTimesAreRefused(String text) {
        assertThatThrownBy(() -> VoteStreamEntry.instant(text)).isInstanceOf(DateTimeException.class);
    }

    @Test
    void anEntryReadsBackAsTheEventItWasWrittenFrom() {
        VoteEvent event = new VoteEvent(
                UUID.randomUUID(),
                UUID.randomUUID(),
                UUID.randomUUID(),
                UUID.randomUUID(),
                UUID.randomUUID(),
                Instant.parse("2026-11-27T18:32:09.180123Z"));

        assertThat(VoteStreamEntry.event(VoteStreamEntry.fields(event))).isEqualTo(event);
        assertThat(VoteStreamEntry.fields(event)).doesNotContainKey(VoteStreamEntry.IP_ADDRESS);
    }

    @Test
    void anAnonymousVotesAddressTravelsWithItsEntry() {
        VoteEvent event = new VoteEvent(
                UUID.randomUUID(),
                UUID.randomUUID(),
                UUID.randomUUID(),
                UUID.randomUUID(),
                UUID.randomUUID(),
                Instant.parse("2026-11-27T18:32:09Z"),
                "2001:db8:0:0:0:0:0:1");

        assertThat(VoteStreamEntry.fields(event)).containsEntry(VoteStreamEntry.IP_ADDRESS, "2001:db8:0:0:0:0:0:1");
        assertThat(VoteStreamEntry.event(VoteStreamEntry.fields(event))).isEqualTo(event);
    }
}
