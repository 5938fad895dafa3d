package io.pollster.topology;

import static io.pollster.topology.PollsterClient.counts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pollster.topology.PollsterClient.Poll;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * What a client of the deployed topology sees, through the load balancer only, and what a crash of
 * any one service instance under load does to it: nothing lost, nothing counted twice, viewers moved
 * to a surviving gateway. A subclass says how Redis runs ({@link #redis()}); the scenarios are the
 * same on every Redis. The crash scenario runs after the others here: it leaves instances dead, so a
 * subclass's own scenarios ({@code @Order} above 3) run on the instances that survived it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
public abstract class TopologyScenarios {

    private static final Logger log = LoggerFactory.getLogger(TopologyScenarios.class);
    /** Generous: seven JVMs share two cores with whatever else the machine runs. */
    protected static final Duration PATIENCE = Duration.ofMinutes(5);
    /** The lowest milestone threshold of jobs' defaults (docs/jobs.md). */
    protected static final int FIRST_MILESTONE = 100;

    protected Topology topology;
    protected PollsterClient client;

    /** How this variant runs Redis and points the services at it. */
    protected abstract RedisDeployment redis();

    /** The name of the topology's directory under target/topology. */
    protected abstract String name();

    /** Adjusts the topology (e.g. another compose file); the defaults run docker-compose.yml. */
    protected Topology.Builder configure(Topology.Builder builder) {
        return builder;
    }

    @BeforeAll
    void startTopology() {
        topology = configure(Topology.builder().name(name()).redis(redis())).start();
        client = new PollsterClient(topology.loadBalancer(), Identity.of(topology.environment(Topology.WRITE_API)));
        log.info("Clients authenticate in {} mode", client.identity().mode());
    }

    @AfterAll
    void stopTopology() {
        if (topology != null) {
            topology.close();
        }
    }

    @Test
    @Order(1)
    void votesWatchedThroughTheLoadBalancerAreCountedExactly() throws Exception {
        UUID creator = UUID.randomUUID();
        Poll poll = client.createPoll(
                creator, "Topology " + creator, List.of(List.of("red", "green", "blue"), List.of("yes", "no")));
        List<LiveViewer> viewers = viewers(poll, 2);
        try {
            await("every viewer's first message").atMost(PATIENCE).until(() -> viewers.stream()
                    .allMatch(v -> v.latest() != null));

            int users = FIRST_MILESTONE + 20;
            Voters voters = Voters.start(client, poll, 6, users, Duration.ZERO, 1);
            voters.awaitDone();
            voters.close();
            assertThat(voters.failures()).isEmpty();
            assertThat(voters.accepted()).isEqualTo(users);
            Map<String, Long> expected = voters.expectedCounts();

            awaitCounts(poll, expected, users);
            await("every viewer shows the exact counts")
                    .atMost(PATIENCE)
                    .untilAsserted(() -> viewers.forEach(
                            v -> assertThat(counts(v.latest())).as(v.name()).isEqualTo(expected)));

            HttpResponse<String> closed = client.close(UUID.fromString(poll.creatorId()), poll);
            assertThat(closed.statusCode()).as(closed.body()).isEqualTo(200);
            assertThat(PollsterClient.JSON
                            .readTree(closed.body())
                            .path("closed_at")
                            .isNull())
                    .isFalse();
            awaitClosingMessages(viewers, expected, users);

            // the other write-api may trust its copy of the open poll for pollster.poll-catalog.open-poll-ttl
            await("a vote after the close refused by every write-api")
                    .atMost(PATIENCE)
                    .pollInterval(Duration.ofSeconds(1))
                    .untilAsserted(() -> {
                        for (int i = 0; i < 2; i++) {
                            HttpResponse<String> late = client.vote(
                                    UUID.randomUUID(),
                                    poll,
                                    firstChoices(poll),
                                    UUID.randomUUID().toString());
                            assertThat(late.statusCode()).as(late.body()).isEqualTo(409);
                            assertThat(late.body()).contains("/problems/poll-closed");
                        }
                    });

            awaitMilestoneNotifications(
                    creator, poll, client.results(poll.id()).path("total_votes").asLong());
            viewers.forEach(v -> assertThat(v.violations()).as(v.name()).isEmpty());
        } finally {
            viewers.forEach(LiveViewer::close);
        }
    }

    @Test
    @Order(2)
    void aClientChosenUserIdNeverReachesAService() throws Exception {
        UUID chosen = UUID.randomUUID();
        String poll = "{\"title\":\"Whose poll?\",\"questions\":[{\"text\":\"Pick\",\"choices\":[\"a\",\"b\"]}]}";

        // alone, the header a client sets is no identity at all
        HttpResponse<String> create = client.send(client.request("/api/polls")
                .header("Content-Type", "application/json")
                .header("X-User-Id", chosen.toString())
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(poll)));
        assertThat(create.statusCode()).as(create.body()).isEqualTo(401);
        assertThat(create.body()).contains("/problems/unauthenticated");
        HttpResponse<String> inbox = client.send(client.request("/api/notifications")
                .header("X-User-Id", chosen.toString())
                .GET());
        assertThat(inbox.statusCode()).as(inbox.body()).isEqualTo(401);

        // next to a real identity, it changes nothing
        UUID real = UUID.randomUUID();
        HttpResponse<String> created =
                client.post(real, "/api/polls", poll, request -> request.header("X-User-Id", chosen.toString()));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(PollsterClient.JSON
                        .readTree(created.body())
                        .path("creator_id")
                        .asString())
                .isEqualTo(real.toString());
    }

    /**
     * An {@code ip} poll through the load balancer: nginx names the client by the address it sees, so a
     * client that sends its own {@code X-Forwarded-For} cannot pass for another voter.
     */
    @Test
    @Order(2)
    void aClientChosenForwardedForIsNotItsAddress() throws Exception {
        String body = "{\"title\":\"From where?\",\"voters\":\"ip\","
                + "\"questions\":[{\"text\":\"Pick\",\"choices\":[\"a\",\"b\"]}]}";
        HttpResponse<String> created =
                client.post(UUID.randomUUID(), "/api/polls", body, java.util.function.UnaryOperator.identity());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        Poll poll = Poll.of(PollsterClient.JSON.readTree(created.body()));
        Map.Entry<String, List<String>> question =
                poll.choicesByQuestion().entrySet().iterator().next();

        List<HttpResponse<String>> answers = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            String vote = "{\"answers\":[{\"question_id\":\"" + question.getKey() + "\",\"choice_id\":\""
                    + question.getValue().get(i) + "\"}]}";
            // no user: an anonymous vote, each claiming an address of its own
            answers.add(client.send(client.request("/api/polls/" + poll.id() + "/votes")
                    .header("Content-Type", "application/json")
                    .header("X-Forwarded-For", "203.0.113." + (10 + i))
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(vote))));
        }

        assertThat(answers.get(0).statusCode()).as(answers.get(0).body()).isEqualTo(202);
        assertThat(answers.get(1).statusCode()).as(answers.get(1).body()).isEqualTo(409);
        assertThat(answers.get(1).body()).contains("/problems/already-voted");
    }

    @Test
    @Order(3)
    void oneInstanceOfEachServiceKilledUnderLoadLosesNothing() throws Exception {
        UUID creator = UUID.randomUUID();
        Poll poll = client.createPoll(creator, "Crash " + creator, List.of(List.of("one", "two", "three", "four")));
        List<LiveViewer> viewers = viewers(poll, 3);
        Voters voters = Voters.start(client, poll, 3, 50_000, Duration.ofMillis(20), 2);
        try {
            await("every viewer's first message").atMost(PATIENCE).until(() -> viewers.stream()
                    .allMatch(v -> v.latest() != null));

            // jobs first, before the poll reaches its first milestone: the notification must come anyway
            ServiceInstance jobs = topology.instances(Topology.JOBS).get(0);
            awaitAccepted(voters::accepted, 20);
            log.info("SIGKILL {} at {} accepted votes", jobs, voters.accepted());
            jobs.kill();

            ServiceInstance api = topology.instances(Topology.WRITE_API).get(0);
            awaitAccepted(voters::accepted, voters.accepted() + 100);
            log.info("SIGKILL {} at {} accepted votes", api, voters.accepted());
            api.kill();

            ServiceInstance active = activeProjector();
            awaitAccepted(voters::accepted, voters.accepted() + 100);
            log.info("SIGKILL {} (the active projector) at {} accepted votes", active, voters.accepted());
            active.kill();
            ServiceInstance standby = topology.instances(Topology.CDC_PROJECTOR).stream()
                    .filter(p -> p != active)
                    .findFirst()
                    .orElseThrow();
            await("the standby projector takes over the slot")
                    .atMost(PATIENCE)
                    .pollInterval(Duration.ofMillis(500))
                    .ignoreExceptions()
                    .until(() -> Topology.cdcState(standby).equalsIgnoreCase("streaming"));

            ServiceInstance gateway = topology.instances(Topology.LIVE_GATEWAY).get(0);
            awaitAccepted(voters::accepted, voters.accepted() + 100);
            int connectionsBefore =
                    viewers.stream().mapToInt(LiveViewer::connections).sum();
            log.info("SIGKILL {} at {} accepted votes", gateway, voters.accepted());
            gateway.kill();
            await("the viewers of the dead gateway connect again, to the other one")
                    .atMost(PATIENCE)
                    .until(() ->
                            viewers.stream().mapToInt(LiveViewer::connections).sum() > connectionsBefore);

            awaitAccepted(voters::accepted, Math.max(FIRST_MILESTONE + 20, voters.accepted() + 100));
            log.info("Restarting {} at {} accepted votes", jobs.name(), voters.accepted());
            topology.restart(jobs);
            awaitAccepted(voters::accepted, voters.accepted() + 100);
            voters.stopAndWait();
            log.info("{} votes accepted, {} requests asked again", voters.accepted(), voters.retries());

            assertThat(voters.failures()).isEmpty();
            Map<String, Long> expected = voters.expectedCounts();
            int users = voters.accepted();
            awaitCounts(poll, expected, users);
            await("every viewer shows the exact counts")
                    .atMost(PATIENCE)
                    .untilAsserted(() -> viewers.forEach(
                            v -> assertThat(counts(v.latest())).as(v.name()).isEqualTo(expected)));
            assertThat(viewers.stream().mapToInt(LiveViewer::drops).sum())
                    .as("viewers cut off by the killed gateway")
                    .isPositive();

            HttpResponse<String> closed = client.close(creator, poll);
            assertThat(closed.statusCode()).as(closed.body()).isEqualTo(200);
            awaitClosingMessages(viewers, expected, users);
            awaitMilestoneNotifications(
                    creator, poll, client.results(poll.id()).path("total_votes").asLong());
            viewers.forEach(v -> assertThat(v.violations()).as(v.name()).isEmpty());
        } finally {
            voters.close();
            viewers.forEach(LiveViewer::close);
        }
    }

    /** {@code perKind} WebSocket and as many SSE viewers, half by id and half by slug. */
    protected List<LiveViewer> viewers(Poll poll, int perKind) {
        List<LiveViewer> viewers = new ArrayList<>();
        for (int i = 0; i < perKind; i++) {
            String ref = i % 2 == 0 ? poll.id() : poll.slug();
            viewers.add(LiveViewer.webSocket(client, ref));
            viewers.add(LiveViewer.sse(client, ref));
        }
        return viewers;
    }

    private ServiceInstance activeProjector() {
        return await("one projector streaming")
                .atMost(PATIENCE)
                .ignoreExceptions()
                .until(
                        () -> {
                            for (ServiceInstance projector : topology.instances(Topology.CDC_PROJECTOR)) {
                                if (projector.isAlive()
                                        && Topology.cdcState(projector).equalsIgnoreCase("streaming")) {
                                    return projector;
                                }
                            }
                            return null;
                        },
                        projector -> projector != null);
    }

    protected static void awaitAccepted(IntSupplier accepted, int atLeast) {
        await("at least " + atLeast + " accepted votes").atMost(PATIENCE).until(() -> accepted.getAsInt() >= atLeast);
    }

    /** Results through the load balancer (both write-apis answer in turn) and PostgreSQL agree exactly. */
    protected void awaitCounts(Poll poll, Map<String, Long> expected, int users) throws Exception {
        await("the exact counts through the load balancer")
                .atMost(PATIENCE)
                .pollInterval(Duration.ofMillis(500))
                .ignoreExceptions()
                .untilAsserted(() -> {
                    for (int i = 0; i < 4; i++) {
                        JsonNode results = client.results(i % 2 == 0 ? poll.id() : poll.slug());
                        assertThat(counts(results)).isEqualTo(expected);
                        assertEveryQuestionAnsweredBy(results, users);
                    }
                });
        assertThat(postgresCounts(poll)).as("responses rows in PostgreSQL").isEqualTo(expected);
    }

    protected void awaitClosingMessages(List<LiveViewer> viewers, Map<String, Long> expected, int users) {
        await("every viewer gets the closing message").atMost(PATIENCE).until(() -> viewers.stream()
                .allMatch(v -> v.closing() != null));
        for (LiveViewer viewer : viewers) {
            assertThat(viewer.closing().path("closed").asBoolean())
                    .as(viewer.name())
                    .isTrue();
            assertThat(counts(viewer.closing())).as(viewer.name()).isEqualTo(expected);
            assertEveryQuestionAnsweredBy(viewer.closing(), users);
        }
    }

    /** Each question's {@code total}: every user answered every question, once. */
    private static void assertEveryQuestionAnsweredBy(JsonNode results, int users) {
        for (JsonNode question : results.path("questions")) {
            assertThat(question.path("total").asLong())
                    .as("voters of question %s", question.path("question_id").asString())
                    .isEqualTo(users);
        }
    }

    /**
     * The creator's inbox holds one milestone notification per threshold the poll's total reached
     * (jobs' defaults: 100, 1,000, 10,000, …), each once however often anything crashed.
     */
    protected void awaitMilestoneNotifications(UUID creator, Poll poll, long totalVotes) {
        List<String> thresholds = new ArrayList<>();
        for (long threshold = FIRST_MILESTONE; threshold <= totalVotes; threshold *= 10) {
            thresholds.add(String.format(Locale.US, "%,d", threshold));
        }
        assertThat(thresholds).as("the poll reached a milestone").isNotEmpty();
        await("the creator's milestone notifications " + thresholds)
                .atMost(PATIENCE)
                .pollInterval(Duration.ofMillis(500))
                .ignoreExceptions()
                .untilAsserted(() -> {
                    HttpResponse<String> response = client.notifications(creator);
                    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                    List<String> messages = new ArrayList<>();
                    PollsterClient.JSON.readTree(response.body()).path("items").forEach(item -> {
                        if (item.path("poll_id").asString().equals(poll.id())) {
                            assertThat(item.path("type").asString()).isEqualTo("milestone");
                            messages.add(item.path("message").asString());
                        }
                    });
                    assertThat(messages).hasSameSizeAs(thresholds);
                    for (String threshold : thresholds) {
                        assertThat(messages)
                                .filteredOn(m -> m.contains(" " + threshold + " "))
                                .hasSize(1);
                    }
                });
    }

    private Map<String, Long> postgresCounts(Poll poll) throws Exception {
        Map<String, Long> counts = new LinkedHashMap<>();
        poll.choicesByQuestion().values().forEach(choices -> choices.forEach(c -> counts.put(c, 0L)));
        try (Connection connection = topology.postgres().connect();
                PreparedStatement query = connection.prepareStatement(
                        "SELECT choice_id::text, count(*) FROM responses WHERE poll_id = ?::uuid GROUP BY choice_id")) {
            query.setString(1, poll.id());
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    counts.put(rows.getString(1), rows.getLong(2));
                }
            }
        }
        return counts;
    }

    private static Map<String, String> firstChoices(Poll poll) {
        Map<String, String> answers = new LinkedHashMap<>();
        poll.choicesByQuestion().forEach((question, choices) -> answers.put(question, choices.get(0)));
        return answers;
    }
}
