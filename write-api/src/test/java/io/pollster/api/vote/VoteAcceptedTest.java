package io.pollster.api.vote;

import static org.assertj.core.api.Assertions.assertThat;

import io.pollster.core.json.PollsterJson;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class VoteAcceptedTest {

    @Test
    void prebuiltJsonIsWhatTheApplicationsMapperWrites() {
        for (int i = 0; i < 100; i++) {
            VoteAccepted accepted = VoteAccepted.of(UUID.randomUUID());

            assertThat(new String(accepted.json(), StandardCharsets.UTF_8))
                    .isEqualTo(PollsterJson.mapper().writeValueAsString(accepted));
        }
    }

    @Test
    void prebuiltJsonReadsBackAsTheRecord() {
        VoteAccepted accepted = VoteAccepted.of(UUID.randomUUID());

        assertThat(PollsterJson.mapper().readValue(accepted.json(), VoteAccepted.class))
                .isEqualTo(accepted);
    }
}
