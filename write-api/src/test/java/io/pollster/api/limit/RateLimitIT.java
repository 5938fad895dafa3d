package io.pollster.api.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.pollster.api.vote.TestPolls;
import io.pollster.core.json.PollsterJson;
import io.pollster.core.poll.PollDefinition;
import io.pollster.core.redis.RedisKeys;
import io.pollster.core.redis.Shards;
import io.pollster.testing.PollsterIntegrationTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * docs/api.md "Limits" with the shipped defaults around them: the test client is on loopback, the trusted
 * proxy by default, so its {@code X-Forwarded-For} names the client address each request is limited
 * as (loopback itself is exempt). Buckets that do not refill within a test (per hour) make the counts
 * exact however slow the machine is.
 */
@PollsterIntegrationTest(
        properties = {
            "pollster.limits.votes-per-ip.capacity=100",
            "pollster.limits.votes-per-ip.period=1h",
            "pollster.limits.votes-per-user.capacity=5",
            "pollster.limits.votes-per-user.period=1h",
            "pollster.limits.polls-per-user.capacity=3",
            "pollster.limits.polls-per-user.period=1h",
            "pollster.limits.polls-per-ip.capacity=5",
            "pollster.limits.polls-per-ip.period=1h",
            "management.endpoints.web.exposure.include=health,prometheus"
        })
class RateLimitIT {

    private static final String POLL =
            """
            {"title": "Limited?", "questions": [{"text": "Pick one", "choices": ["yes", "no"]}]}
            """;

    private final HttpClient http = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    StringRedisTemplate redis;

    @Autowired
    Shards shards;

    @Autowired
    MeterRegistry meters;

    private TestPolls polls;

    @BeforeEach
    void setUp() {
        polls = new TestPolls(jdbc);
    }

    @Test
    void aThousandVotesFromOneAddressRecordExactlyTheAllowedNumber() {
        PollDefinition poll = polls.open(1, 2);
        String address = randomAddress();
        double refusedBefore = refused("votes-per-ip");
        List<UUID> users = new ArrayList<>();
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        long started = System.nanoTime();
        for (int i = 0; i < 1000; i++) {
            UUID user = UUID.randomUUID();
            users.add(user);
            answers.add(http.sendAsync(
                    vote(poll, user).header("X-Forwarded-For", address).build(), HttpResponse.BodyHandlers.ofString()));
        }
        List<HttpResponse<String>> responses =
                answers.stream().map(CompletableFuture::join).toList();
        System.out.printf(
                "RateLimitIT: 1000 votes from one address answered in %d ms%n",
                Duration.ofNanos(System.nanoTime() - started).toMillis());

        List<UUID> accepted = new ArrayList<>();
        List<UUID> refused = new ArrayList<>();
        for (int i = 0; i < responses.size(); i++) {
            HttpResponse<String> response = responses.get(i);
            if (response.statusCode() == 202) {
                accepted.add(users.get(i));
            } else {
                assertRateLimited(response);
                refused.add(users.get(i));
            }
        }
        assertThat(accepted).hasSize(100);
        assertThat(refused).hasSize(900);
        assertThat(refused("votes-per-ip") - refusedBefore).isEqualTo(900);

        String voters = RedisKeys.voters(
                shards.of(poll.pollId()), poll.questions().get(0).questionId());
        // the vote script ran for the accepted only: it adds every voter it enqueues to this set
        assertThat(redis.opsForSet().size(voters)).isEqualTo(100);
        for (UUID user : refused) {
            assertThat(redis.opsForSet().isMember(voters, user.toString())).isFalse();
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> polls.responses(poll.pollId()) == 100);
        polls.assertCountersMatchResponses(poll);
        assertThat(polls.responses(poll.pollId())).isEqualTo(100);
    }

    /** Anonymous voters have no user bucket: their address's bucket alone limits them, devices or not. */
    @Test
    void anonymousVotesFromOneAddressSpendItsBucketWhateverTheirDevices() throws Exception {
        PollDefinition poll = polls.open(1, 2);
        jdbc.sql("UPDATE polls SET voters = 'device' WHERE poll_id = ?")
                .param(poll.pollId())
                .update();
        String address = randomAddress();
        List<HttpResponse<String>> responses = new ArrayList<>();
        for (int i = 0; i < 101; i++) {
            responses.add(send(vote(poll, null)
                    .header("X-Device-Id", UUID.randomUUID().toString())
                    .header("X-Forwarded-For", address)));
        }

        assertThat(responses.subList(0, 100))
                .allSatisfy(r -> assertThat(r.statusCode()).as(r.body()).isEqualTo(202));
        assertRateLimited(responses.get(100));
        String voters = RedisKeys.voters(
                shards.of(poll.pollId()), poll.questions().get(0).questionId());
        assertThat(redis.opsForSet().size(voters)).isEqualTo(100);
        await().atMost(Duration.ofSeconds(60)).until(() -> polls.responses(poll.pollId()) == 100);
        assertThat(polls.responses(poll.pollId())).isEqualTo(100);
        // another address is not limited by this one's spending
        assertThat(send(vote(poll, null)
                                .header("X-Device-Id", UUID.randomUUID().toString())
                                .header("X-Forwarded-For", randomAddress()))
                        .statusCode())
                .isEqualTo(202);
    }

    @Test
    void aUserPastTheirVoteLimitIsRefusedOnAnyPoll() throws Exception {
        UUID user = UUID.randomUUID();
        String address = randomAddress();
        for (int i = 0; i < 5; i++) {
            assertThat(send(vote(polls.open(1, 2), user).header("X-Forwarded-For", address))
                            .statusCode())
                    .isEqualTo(202);
        }
        PollDefinition sixth = polls.open(1, 2);

        assertRateLimited(send(vote(sixth, user).header("X-Forwarded-For", randomAddress())));
        assertThat(redis.opsForSet()
                        .isMember(
                                RedisKeys.voters(
                                        shards.of(sixth.pollId()),
                                        sixth.questions().get(0).questionId()),
                                user.toString()))
                .isFalse();
    }

    @Test
    void pollCreationIsLimitedPerUserAndWritesNothingPastTheLimit() throws Exception {
        UUID user = UUID.randomUUID();
        for (int i = 0; i < 3; i++) {
            assertThat(send(createPoll(user).header("X-Forwarded-For", randomAddress()))
                            .statusCode())
                    .isEqualTo(201);
        }

        assertRateLimited(send(createPoll(user).header("X-Forwarded-For", randomAddress())));
        assertThat(pollsOf(user)).isEqualTo(3);
    }

    @Test
    void addressesAreToldApartByTheTrustedProxysForwardedFor() throws Exception {
        String crowded = randomAddress();
        for (int i = 0; i < 5; i++) {
            assertThat(send(createPoll(UUID.randomUUID()).header("X-Forwarded-For", crowded))
                            .statusCode())
                    .isEqualTo(201);
        }
        UUID late = UUID.randomUUID();
        // a client's own X-Forwarded-For entries before the proxy's are not what the valve trusts
        assertRateLimited(send(createPoll(late).header("X-Forwarded-For", randomAddress() + ", " + crowded)));
        assertThat(pollsOf(late)).isZero();

        assertThat(send(createPoll(late).header("X-Forwarded-For", randomAddress()))
                        .statusCode())
                .isEqualTo(201);
        // loopback itself, the operator's own host, is exempt
        assertThat(send(createPoll(UUID.randomUUID())).statusCode()).isEqualTo(201);
    }

    @Test
    void theCounterOfEachLimitIsPublished() throws Exception {
        String address = randomAddress();
        for (int i = 0; i < 6; i++) {
            send(createPoll(UUID.randomUUID()).header("X-Forwarded-For", address));
        }
        String metrics = send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/actuator/prometheus")))
                .body();
        assertThat(metrics).containsPattern("pollster_rate_limited_total\\{.*limit=\"polls-per-ip\".*} [1-9]");
        assertThat(metrics).contains("limit=\"votes-per-user\"");
    }

    private void assertRateLimited(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(429);
        assertThat(response.headers().firstValue("Retry-After"))
                .hasValueSatisfying(
                        seconds -> assertThat(Long.parseLong(seconds)).isPositive());
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        var problem = PollsterJson.mapper().readTree(response.body());
        assertThat(problem.get("type").asString()).isEqualTo("https://pollster.io/problems/rate-limited");
        assertThat(problem.get("status").asInt()).isEqualTo(429);
    }

    private double refused(String limit) {
        return meters.get("pollster.rate.limited").tag("limit", limit).counter().count();
    }

    private long pollsOf(UUID creator) {
        return jdbc.sql("SELECT count(*) FROM polls WHERE creator_id = ?")
                .param(creator)
                .query(Long.class)
                .single();
    }

    /** A client address of its own for each test: buckets live in Redis beyond one test. */
    static String randomAddress() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return "10." + random.nextInt(256) + "." + random.nextInt(256) + "." + (1 + random.nextInt(254));
    }

    private HttpRequest.Builder vote(PollDefinition poll, UUID user) {
        PollDefinition.Question question = poll.questions().get(0);
        String body = "{\"answers\":[{\"question_id\":\"" + question.questionId() + "\",\"choice_id\":\""
                + question.choices().get(0).choiceId() + "\"}]}";
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create("http://localhost:" + port + "/api/polls/" + poll.pollId() + "/votes"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        return user == null ? request : request.header("X-User-Id", user.toString());
    }

    private HttpRequest.Builder createPoll(UUID user) {
        return HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/polls"))
                .header("X-User-Id", user.toString())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(POLL));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
