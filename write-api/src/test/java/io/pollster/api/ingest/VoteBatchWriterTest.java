package io.pollster.api.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.pollster.core.vote.VoteIds;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class VoteBatchWriterTest {

    @Test
    void responseIdIsTheSameForEveryReplayOfAnAnswerAndDiffersAcrossQuestionsAndChoices() {
        for (UUID vote : List.of(UUID.randomUUID(), VoteIds.mint(Instant.now()))) {
            UUID question = UUID.randomUUID();
            UUID choice = UUID.randomUUID();

            assertThat(VoteBatchWriter.responseId(vote, question, choice))
                    .isEqualTo(VoteBatchWriter.responseId(vote, question, choice));
            assertThat(VoteBatchWriter.responseId(vote, question, choice))
                    .isNotEqualTo(VoteBatchWriter.responseId(vote, UUID.randomUUID(), choice))
                    .isNotEqualTo(VoteBatchWriter.responseId(vote, question, UUID.randomUUID()))
                    .isNotEqualTo(VoteBatchWriter.responseId(question, vote, choice));
        }
    }

    @Test
    void aTimeOrderedVoteGivesVersion8ResponseIdsStartingWithItsMillisecond() {
        Instant submitted = Instant.parse("2026-12-02T04:05:06.789Z");
        UUID vote = VoteIds.mint(submitted);

        UUID response = VoteBatchWriter.responseId(vote, UUID.randomUUID(), UUID.randomUUID());

        assertThat(response.version()).isEqualTo(8);
        assertThat(response.variant()).isEqualTo(2);
        assertThat(response.getMostSignificantBits() >>> 16).isEqualTo(submitted.toEpochMilli());
    }

    @Test
    void responsesOfLaterVotesSortLaterAsPostgresComparesUuids() {
        List<UUID> ids = new ArrayList<>();
        long start = Instant.parse("2026-12-02T00:00:00Z").toEpochMilli();
        for (int i = 0; i < 1_000; i++) {
            UUID vote = VoteIds.mint(Instant.ofEpochMilli(start + i));
            ids.add(VoteBatchWriter.responseId(vote, UUID.randomUUID(), UUID.randomUUID()));
        }
        // PostgreSQL orders uuid values by their 16 bytes, unsigned, most significant first
        for (int i = 1; i < ids.size(); i++) {
            assertThat(unsignedBytes(ids.get(i - 1)).compareTo(unsignedBytes(ids.get(i))))
                    .as("response %d before %d", i - 1, i)
                    .isNegative();
        }
    }

    @Test
    void theAnswersOfOneVoteGetDistinctIds() {
        UUID vote = VoteIds.mint(Instant.now());
        Set<UUID> ids = new HashSet<>();
        for (int q = 0; q < 20; q++) {
            UUID question = UUID.randomUUID();
            for (int c = 0; c < 20; c++) {
                ids.add(VoteBatchWriter.responseId(vote, question, UUID.randomUUID()));
            }
        }
        assertThat(ids).hasSize(400);
    }

    @Test
    void aVoteIdMintedBeforeTimeOrderedIdsKeepsItsNameBasedResponseIds() {
        // a replay, across the upgrade, of an entry the old version already wrote must hit the same row
        UUID vote = UUID.fromString("3f1c2a4e-8d7b-4c6a-9e5f-0a1b2c3d4e5f");
        UUID question = UUID.fromString("11111111-2222-4333-8444-555555555555");
        UUID choice = UUID.fromString("66666666-7777-4888-9999-aaaaaaaaaaaa");

        // UUID.nameUUIDFromBytes(vote ‖ question ‖ choice), as the version before computed it
        assertThat(VoteBatchWriter.responseId(vote, question, choice))
                .isEqualTo(UUID.fromString("8e59143e-94e0-3f16-8ce2-18306b4f37b5"));
    }

    private static java.math.BigInteger unsignedBytes(UUID id) {
        ByteBuffer bytes = ByteBuffer.allocate(17);
        bytes.put((byte) 0).putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits());
        return new java.math.BigInteger(bytes.array());
    }
}
