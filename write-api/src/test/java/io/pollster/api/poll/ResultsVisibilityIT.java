package io.pollster.api.poll;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pollster.api.vote.VoteHttp;
import io.pollster.core.poll.PollDefinition;
import io.pollster.core.poll.PollDefinitions;
import io.pollster.core.redis.RedisKeys;
import io.pollster.core.redis.Shards;
import io.pollster.testing.PollsterIntegrationTest;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/** results_visibility on REST (docs/api.md): 403 results-hidden on …/results, the hidden shape in the Poll. */
@PollsterIntegrationTest
class ResultsVisibilityIT {

    private static final Set<String> HIDDEN_FIELDS =
            Set.of("poll_id", "version", "closed", "total_votes", "results_hidden");

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    StringRedisTemplate redis;

    @Autowired
    Shards shards;

    private final UUID creator = UUID.randomUUID();

    @Test
    void afterCloseHidesCountsFromAllButTheCreatorUntilTheCloseThenShowsThemToEveryone() {
        PollDefinition poll = create("after_close");
        UUID voter = UUID.randomUUID();
        assertThat(vote(poll, voter).status()).isEqualTo(202);

        assertHidden(poll, null);
        assertHidden(poll, voter);
        assertVisible(poll, creator);

        VoteHttp.Answer closed =
                http().post("/api/polls/" + poll.pollId() + "/close", creator.toString(), null, null, null);
        assertThat(closed.status()).as(closed.body()).isEqualTo(200);
        assertVisible(poll, null);
        assertVisible(poll, voter);
    }

    @Test
    void afterVoteShowsCountsToAVoterOnceTheVoteIsAcceptedAndToTheCreator() {
        PollDefinition poll = create("after_vote");
        UUID voter = UUID.randomUUID();
        UUID stranger = UUID.randomUUID();

        assertHidden(poll, voter);
        VoteHttp.Answer accepted = vote(poll, voter);
        assertThat(accepted.status()).isEqualTo(202);

        // accepted is enough: the vote script put the voter in the question's voter set
        assertVisible(poll, voter);
        assertHidden(poll, stranger);
        assertHidden(poll, null);
        assertVisible(poll, creator);

        // Redis loses the voter sets: PostgreSQL, once the vote is recorded, still knows the voter
        await().atMost(Duration.ofSeconds(30)).until(() -> "recorded"
                .equals(http().get("/api/polls/" + poll.pollId() + "/votes/" + accepted.text("vote_id"))
                        .text("status")));
        redis.delete(RedisKeys.voters(
                shards.of(poll.pollId()), poll.questions().get(0).questionId()));
        assertVisible(poll, voter);
        assertHidden(poll, stranger);
    }

    @Test
    void alwaysShowsCountsToAnonymousReaders() {
        PollDefinition poll = create("always");
        assertThat(vote(poll, UUID.randomUUID()).status()).isEqualTo(202);

        assertVisible(poll, null);
    }

    private void assertHidden(PollDefinition poll, UUID viewer) {
        VoteHttp.Answer results = get("/api/polls/" + poll.pollId() + "/results", viewer);
        assertProblem(results, 403, "results-hidden");

        VoteHttp.Answer read = get("/api/polls/" + poll.slug(), viewer);
        assertThat(read.status()).isEqualTo(200);
        JsonNode hidden = read.json().get("results");
        assertThat(new TreeSet<>(hidden.propertyNames())).isEqualTo(new TreeSet<>(HIDDEN_FIELDS));
        assertThat(hidden.get("results_hidden").asBoolean()).isTrue();
        assertThat(hidden.get("poll_id").asString()).isEqualTo(poll.pollId().toString());
        assertThat(hidden.get("total_votes").asLong()).isNotNegative();
    }

    private void assertVisible(PollDefinition poll, UUID viewer) {
        VoteHttp.Answer results = get("/api/polls/" + poll.pollId() + "/results", viewer);
        assertThat(results.status()).as(results.body()).isEqualTo(200);
        assertThat(results.json().has("results_hidden")).isFalse();
        assertThat(results.json().get("questions").get(0).get("choices")).hasSize(2);

        JsonNode inPoll = get("/api/polls/" + poll.pollId(), viewer).json().get("results");
        assertThat(inPoll.has("results_hidden")).isFalse();
        assertThat(inPoll.get("questions")).hasSize(1);
    }

    private PollDefinition create(String visibility) {
        String body = "{\"title\": \"Hidden?\", \"results_visibility\": \"" + visibility
                + "\", \"questions\": [{\"text\": \"q\", \"choices\": [\"a\", \"b\"]}]}";
        VoteHttp.Answer created = http().post("/api/polls", creator.toString(), null, "application/json", body);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return new PollDefinitions(jdbc)
                .findById(UUID.fromString(created.text("poll_id")))
                .orElseThrow();
    }

    private VoteHttp.Answer vote(PollDefinition poll, UUID user) {
        PollDefinition.Question question = poll.questions().get(0);
        return http().vote(poll.pollId(), user, null, List.<UUID[]>of(new UUID[] {
            question.questionId(), question.choices().get(0).choiceId()
        }));
    }

    private VoteHttp.Answer get(String path, UUID viewer) {
        return viewer == null ? http().get(path) : http().getAs(path, viewer.toString());
    }

    private static void assertProblem(VoteHttp.Answer answer, int status, String slug) {
        assertThat(answer.status()).as(answer.body()).isEqualTo(status);
        assertThat(answer.contentType()).startsWith("application/problem+json");
        assertThat(answer.text("type")).isEqualTo("https://pollster.io/problems/" + slug);
    }

    private VoteHttp http() {
        return new VoteHttp(port);
    }
}
