package io.pollster.core.poll;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pollster.core.json.PollsterJson;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/** The poll as cached in Redis ({@code poll:{id}:meta}) and read back by every service. */
class PollDefinitionJsonTest {

    private static final UUID CHOICE_A = UUID.randomUUID();
    private static final UUID CHOICE_B = UUID.randomUUID();
    private static final UUID CHOICE_C = UUID.randomUUID();

    @Test
    void settingsSurviveTheCachedCopyAsApiJson() {
        PollDefinition poll = new PollDefinition(
                UUID.randomUUID(),
                "s",
                UUID.randomUUID(),
                "t",
                null,
                Instant.parse("2026-01-01T00:00:00Z"),
                null,
                null,
                Voters.IP,
                ResultsVisibility.AFTER_CLOSE,
                List.of(new PollDefinition.Question(
                        UUID.randomUUID(),
                        "q",
                        0,
                        1,
                        3,
                        List.of(
                                new PollDefinition.Choice(CHOICE_A, "a"),
                                new PollDefinition.Choice(CHOICE_B, "b"),
                                new PollDefinition.Choice(CHOICE_C, "c")))));

        String json = PollsterJson.mapper().writeValueAsString(poll);
        JsonNode tree = PollsterJson.mapper().readTree(json);

        assertThat(tree.get("voters").asString()).isEqualTo("ip");
        assertThat(tree.get("results_visibility").asString()).isEqualTo("after_close");
        assertThat(tree.get("questions").get(0).get("min_choices").asInt()).isEqualTo(1);
        assertThat(tree.get("questions").get(0).get("max_choices").asInt()).isEqualTo(3);
        assertThat(PollsterJson.mapper().readValue(json, PollDefinition.class)).isEqualTo(poll);
        assertThat(poll.questions().get(0).multipleChoice()).isTrue();
    }

    @Test
    void aCopyCachedWithoutPollSettingsHasTheDefaults() {
        String json = "{\"poll_id\":\"" + UUID.randomUUID() + "\",\"slug\":\"s\",\"creator_id\":\"" + UUID.randomUUID()
                + "\",\"title\":\"t\",\"questions\":[]}";

        PollDefinition poll = PollsterJson.mapper().readValue(json, PollDefinition.class);

        assertThat(poll.voters()).isEqualTo(Voters.USER);
        assertThat(poll.resultsVisibility()).isEqualTo(ResultsVisibility.ALWAYS);
    }

    @Test
    void aCopyCachedWithoutChoiceBoundsIsUnreadableSoTheCatalogReadsPostgres() {
        String json = "{\"poll_id\":\"" + UUID.randomUUID() + "\",\"slug\":\"s\",\"creator_id\":\"" + UUID.randomUUID()
                + "\",\"title\":\"t\",\"questions\":[{\"question_id\":\"" + UUID.randomUUID()
                + "\",\"text\":\"q\",\"order\":0,\"choices\":[]}]}";

        assertThatThrownBy(() -> PollsterJson.mapper().readValue(json, PollDefinition.class))
                .isInstanceOf(JacksonException.class);
    }

    @Test
    void settingsReadTheirJsonValuesOnly() {
        assertThat(Voters.of("device")).contains(Voters.DEVICE);
        assertThat(Voters.of("DEVICE")).isEmpty();
        assertThat(ResultsVisibility.of("after_vote")).contains(ResultsVisibility.AFTER_VOTE);
        assertThat(ResultsVisibility.of(null)).isEmpty();
        assertThat(Voters.DEVICE.anonymous()).isTrue();
        assertThat(Voters.USER.anonymous()).isFalse();
    }
}
