package io.pollster.api.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class VoteBatchWriterTest {

    @Test
    void responseIdIsTheSameForEveryReplayOfAnAnswerAndDiffersAcrossQuestions() {
        UUID vote = UUID.randomUUID();
        UUID question = UUID.randomUUID();

        assertThat(VoteBatchWriter.responseId(vote, question)).isEqualTo(VoteBatchWriter.responseId(vote, question));
        assertThat(VoteBatchWriter.responseId(vote, question))
                .isNotEqualTo(VoteBatchWriter.responseId(vote, UUID.randomUUID()))
                .isNotEqualTo(VoteBatchWriter.responseId(question, vote));
    }
}
