package io.pollster.api.poll;

import static org.assertj.core.api.Assertions.assertThat;

import io.pollster.api.vote.VoteHttp;
import io.pollster.core.poll.PollDefinition;
import io.pollster.core.poll.PollDefinitions;
import io.pollster.core.poll.ResultsVisibility;
import io.pollster.core.poll.Voters;
import io.pollster.core.redis.RedisKeys;
import io.pollster.testing.PollsterIntegrationTest;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The optional settings of a poll (docs/api.md "POST /api/polls"): stored, returned as given, defaulted. */
@PollsterIntegrationTest
class PollSettingsIT {

    private static final String EVERY_SETTING =
            """
            {"title": "Lunch", "voters": "device", "results_visibility": "after_vote",
             "questions": [{"text": "Which?", "choices": ["a", "b", "c", "d"], "min_choices": 2, "max_choices": 3},
                           {"text": "When?", "choices": ["noon", "one"]}]}
            """;

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    StringRedisTemplate redis;

    @Autowired
    PollDefinitions definitions;

    private final UUID creator = UUID.randomUUID();

    private VoteHttp http() {
        return new VoteHttp(port);
    }

    @Test
    void everySettingIsStoredAndReturnedAsGiven() {
        VoteHttp.Answer created =
                http().post("/api/polls", creator.toString(), null, "application/json", EVERY_SETTING);

        assertThat(created.status()).as(created.body()).isEqualTo(201);
        JsonNode poll = created.json();
        assertThat(poll.get("voters").asString()).isEqualTo("device");
        assertThat(poll.get("results_visibility").asString()).isEqualTo("after_vote");
        assertThat(poll.get("questions").get(0).get("min_choices").asInt()).isEqualTo(2);
        assertThat(poll.get("questions").get(0).get("max_choices").asInt()).isEqualTo(3);
        assertThat(poll.get("questions").get(1).get("min_choices").asInt()).isEqualTo(1);
        assertThat(poll.get("questions").get(1).get("max_choices").asInt()).isEqualTo(1);
        UUID pollId = UUID.fromString(poll.get("poll_id").asString());

        Map<String, Object> row = jdbc.sql("SELECT voters, results_visibility FROM polls WHERE poll_id = ?")
                .param(pollId)
                .query()
                .singleRow();
        assertThat(row).containsEntry("voters", "device").containsEntry("results_visibility", "after_vote");

        // read back from PostgreSQL, and through the API once Redis and this process forgot the poll
        PollDefinition truth = definitions.findById(pollId).orElseThrow();
        assertThat(truth.voters()).isEqualTo(Voters.DEVICE);
        assertThat(truth.resultsVisibility()).isEqualTo(ResultsVisibility.AFTER_VOTE);
        assertThat(truth.questions().get(0).minChoices()).isEqualTo(2);
        assertThat(truth.questions().get(0).maxChoices()).isEqualTo(3);
        assertThat(truth.questions().get(1).maxChoices()).isEqualTo(1);
        redis.delete(RedisKeys.pollMetadata(pollId));

        VoteHttp.Answer read = http().get("/api/polls/" + pollId);
        assertThat(read.status()).isEqualTo(200);
        ObjectNode withoutResults = (ObjectNode) read.json();
        withoutResults.remove("results");
        assertThat(withoutResults).isEqualTo(poll);
    }

    @Test
    void absentSettingsAreTheDefaults() {
        VoteHttp.Answer created = http().post(
                        "/api/polls",
                        creator.toString(),
                        null,
                        "application/json",
                        "{\"title\": \"t\", \"questions\": [{\"text\": \"q\", \"choices\": [\"a\", \"b\"]}]}");

        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.text("voters")).isEqualTo("user");
        assertThat(created.text("results_visibility")).isEqualTo("always");
        JsonNode question = created.json().get("questions").get(0);
        assertThat(question.get("min_choices").asInt()).isEqualTo(1);
        assertThat(question.get("max_choices").asInt()).isEqualTo(1);
    }

    @Test
    void unknownSettingsAndImpossibleBoundsAre400ValidationNamingEachFieldAndCreateNothing() {
        String body =
                """
                {"title": "t", "voters": "everyone", "results_visibility": "never",
                 "questions": [{"text": "q", "choices": ["a", "b"], "min_choices": 0, "max_choices": 3}]}
                """;

        VoteHttp.Answer answer = http().post("/api/polls", creator.toString(), null, "application/json", body);

        assertThat(answer.status()).as(answer.body()).isEqualTo(400);
        assertThat(answer.contentType()).startsWith("application/problem+json");
        assertThat(answer.text("type")).isEqualTo("https://pollster.io/problems/validation");
        assertThat(answer.json().get("errors").valueStream().map(e -> e.get("field")
                        .asString()))
                .containsExactlyInAnyOrder(
                        "voters", "results_visibility", "questions[0].min_choices", "questions[0].max_choices");
        assertThat(jdbc.sql("SELECT count(*) FROM polls WHERE creator_id = ?")
                        .param(creator)
                        .query(Long.class)
                        .single())
                .isZero();
    }

    @Test
    void theSchemaRefusesSettingsTheApiWouldNot() {
        UUID pollId = UUID.randomUUID();
        jdbc.sql("INSERT INTO polls (poll_id, creator_id, title, unique_slug) VALUES (?, ?, 't', ?)")
                .params(pollId, creator, "schema-" + pollId)
                .update();

        assertThat(refused("UPDATE polls SET voters = 'everyone' WHERE poll_id = ?", pollId))
                .isTrue();
        assertThat(refused("UPDATE polls SET results_visibility = 'never' WHERE poll_id = ?", pollId))
                .isTrue();
        assertThat(refused(
                        "INSERT INTO questions (question_id, poll_id, question_text, \"order\", min_choices, max_choices)"
                                + " VALUES (gen_random_uuid(), ?, 'q', 0, 2, 1)",
                        pollId))
                .isTrue();
        assertThat(refused(
                        "INSERT INTO questions (question_id, poll_id, question_text, \"order\", min_choices, max_choices)"
                                + " VALUES (gen_random_uuid(), ?, 'q', 0, 0, 1)",
                        pollId))
                .isTrue();
    }

    private boolean refused(String sql, UUID pollId) {
        try {
            jdbc.sql(sql).param(pollId).update();
            return false;
        } catch (org.springframework.dao.DataIntegrityViolationException refused) {
            return true;
        }
    }
}
