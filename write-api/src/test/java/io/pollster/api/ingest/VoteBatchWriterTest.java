package io.pollster.api.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class VoteBatchWriterTest {

    @Test
    void responseIdIsTheSameForEveryReplayOfAnAnswerAndDiffersAcrossQuestionsAndChoices() {
        UUID vote = UUID.randomUUID();
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
