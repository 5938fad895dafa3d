package io.pollster.api.mine;

import static org.assertj.core.api.Assertions.assertThat;

import io.pollster.core.json.PollsterJson;
import io.pollster.testing.PollFixtures;
import io.pollster.testing.PollsterIntegrationTest;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;

@PollsterIntegrationTest
class MyPollsIT {

    private static final OffsetDateTime SAME_MOMENT =
            OffsetDateTime.of(2026, 5, 1, 12, 0, 0, 123_456_000, ZoneOffset.UTC);

    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final PollFixtures fixtures = PollFixtures.onTestServers();
    private final UUID creator = UUID.randomUUID();

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    PlatformTransactionManager transactions;

    @Test
    void fortyFivePollsCreatedInTheSameMicrosecondArePagedEachExactlyOnceInPollIdOrder() throws Exception {
        for (int i = 0; i < 45; i++) {
            fixtures.create(PollFixtures.poll().creator(creator));
        }
        // another creator's polls at the same moment must never show
        fixtures.create(PollFixtures.poll());
        jdbc.sql("UPDATE polls SET created_at = ? WHERE creator_id = ? OR poll_id IN"
                        + " (SELECT poll_id FROM polls ORDER BY created_at DESC LIMIT 1)")
                .params(SAME_MOMENT, creator)
                .update();
        List<String> expected = jdbc.sql(
                        "SELECT poll_id::text FROM polls WHERE creator_id = ? ORDER BY created_at DESC, poll_id DESC")
                .param(creator)
                .query(String.class)
                .list();

        List<String> seen = new ArrayList<>();
        List<Integer> pageSizes = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = page(cursor, 10);
            pageSizes.add(page.get("items").size());
            for (JsonNode item : page.get("items")) {
                assertThat(item.get("creator_id").asString()).isEqualTo(creator.toString());
                seen.add(item.get("poll_id").asString());
            }
            assertThat(page.has("next_cursor")).isTrue();
            cursor = page.get("next_cursor").isNull()
                    ? null
                    : page.get("next_cursor").asString();
        } while (cursor != null);

        assertThat(pageSizes).containsExactly(10, 10, 10, 10, 5);
        assertThat(seen).hasSize(45).containsExactlyElementsOf(expected);
        assertThat(new HashSet<>(seen)).hasSize(45);
    }

    @Test
    void aLastPageThatIsExactlyFullHasNoNextCursor() throws Exception {
        for (int i = 0; i < 6; i++) {
            fixtures.create(PollFixtures.poll().creator(creator));
        }
        jdbc.sql("UPDATE polls SET created_at = ? WHERE creator_id = ?")
                .params(SAME_MOMENT, creator)
                .update();

        JsonNode first = page(null, 3);
        JsonNode second = page(first.get("next_cursor").asString(), 3);

        assertThat(first.get("items")).hasSize(3);
        assertThat(second.get("items")).hasSize(3);
        assertThat(second.get("next_cursor").isNull()).isTrue();
        assertThat(page(null, 6).get("next_cursor").isNull()).isTrue();
    }

    @Test
    void pollsComeNewestFirstWithTheirSettingsAndTotalVotesButNoQuestions() throws Exception {
        PollFixtures.Poll oldest =
                fixtures.create(PollFixtures.poll().creator(creator).title("Old, \"quoted\""));
        PollFixtures.Poll middle = fixtures.create(PollFixtures.poll().creator(creator));
        PollFixtures.Poll newest =
                fixtures.create(PollFixtures.poll().creator(creator).questions(2));
        fixtures.recordVotes(oldest, 7);
        // total_votes counts voters: two voters answering two questions are 2, not 4
        fixtures.recordVotes(newest, 2);
        setCreatedAt(oldest.pollId(), SAME_MOMENT.minusDays(2));
        setCreatedAt(middle.pollId(), SAME_MOMENT.minusDays(1));
        setCreatedAt(newest.pollId(), SAME_MOMENT);
        fixtures.close(middle.pollId());
        jdbc.sql("UPDATE polls SET voters = 'device', results_visibility = 'after_close' WHERE poll_id = ?")
                .param(newest.pollId())
                .update();

        JsonNode page = page(null, null);

        JsonNode items = page.get("items");
        assertThat(items).hasSize(3);
        assertThat(page.get("next_cursor").isNull()).isTrue();
        assertThat(items.get(0).get("poll_id").asString())
                .isEqualTo(newest.pollId().toString());
        assertThat(items.get(1).get("poll_id").asString())
                .isEqualTo(middle.pollId().toString());
        assertThat(items.get(2).get("poll_id").asString())
                .isEqualTo(oldest.pollId().toString());
        JsonNode old = items.get(2);
        assertThat(old.get("title").asString()).isEqualTo("Old, \"quoted\"");
        assertThat(old.get("slug").asString()).isEqualTo(oldest.slug());
        assertThat(old.get("created_at").asString()).isEqualTo("2026-04-29T12:00:00.123456Z");
        assertThat(old.get("total_votes").asLong()).isEqualTo(7);
        assertThat(old.has("questions")).isFalse();
        assertThat(old.has("results")).isFalse();
        assertThat(old.get("closed_at").isNull()).isTrue();
        assertThat(items.get(1).get("closed_at").isNull()).isFalse();
        assertThat(items.get(1).get("total_votes").asLong()).isZero();
        assertThat(items.get(0).get("total_votes").asLong()).isEqualTo(2);
        assertThat(old.propertyNames())
                .containsExactlyInAnyOrder(
                        "poll_id",
                        "slug",
                        "creator_id",
                        "title",
                        "description",
                        "created_at",
                        "closes_at",
                        "closed_at",
                        "voters",
                        "results_visibility",
                        "total_votes");
        assertThat(old.get("voters").asString()).isEqualTo("user");
        assertThat(old.get("results_visibility").asString()).isEqualTo("always");
        assertThat(items.get(0).get("voters").asString()).isEqualTo("device");
        assertThat(items.get(0).get("results_visibility").asString()).isEqualTo("after_close");
    }

    @Test
    void aUserWithoutPollsGetsAnEmptyPageAndTheDefaultLimitIsTwenty() throws Exception {
        assertThat(page(null, null).get("items")).isEmpty();
        for (int i = 0; i < 21; i++) {
            fixtures.create(PollFixtures.poll().creator(creator));
        }

        JsonNode first = page(null, null);

        assertThat(first.get("items")).hasSize(20);
        assertThat(page(first.get("next_cursor").asString(), null).get("items")).hasSize(1);
        assertThat(page(null, 100).get("items")).hasSize(21);
    }

    @Test
    void noUserIs401Unauthenticated() throws Exception {
        HttpResponse<String> answer = send(null, "/api/me/polls");

        assertThat(answer.statusCode()).isEqualTo(401);
        assertThat(problemType(answer)).endsWith("/unauthenticated");
    }

    @Test
    void aLimitOutOfRangeOrNotANumberIs400Validation() throws Exception {
        for (String limit : List.of("0", "101", "-1", "abc", "", "1.5", "99999999999")) {
            HttpResponse<String> answer = send(creator, "/api/me/polls?limit=" + limit);

            assertThat(answer.statusCode()).as("limit=%s", limit).isEqualTo(400);
            assertThat(problemType(answer)).endsWith("/validation");
            assertThat(json(answer).get("errors").get(0).get("field").asString())
                    .isEqualTo("limit");
        }
        assertThat(send(creator, "/api/me/polls?limit=1").statusCode()).isEqualTo(200);
        assertThat(send(creator, "/api/me/polls?limit=100").statusCode()).isEqualTo(200);
    }

    @Test
    void aCursorThisApiDidNotIssueIs400Validation() throws Exception {
        for (int i = 0; i < 3; i++) {
            fixtures.create(PollFixtures.poll().creator(creator));
        }
        String issued = page(null, 1).get("next_cursor").asString();
        Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
        List<String> bad = List.of(
                "",
                "not a cursor",
                "%%%",
                base64.encodeToString("v1:12:not-a-uuid".getBytes(StandardCharsets.US_ASCII)),
                base64.encodeToString(("v2:12:" + UUID.randomUUID()).getBytes(StandardCharsets.US_ASCII)),
                base64.encodeToString(
                        ("v1:99999999999999999999:" + UUID.randomUUID()).getBytes(StandardCharsets.US_ASCII)),
                issued.substring(0, issued.length() - 2),
                issued + "=",
                issued + "AA");
        for (String cursor : bad) {
            HttpResponse<String> answer =
                    send(creator, "/api/me/polls?cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8));

            assertThat(answer.statusCode()).as("cursor=%s", cursor).isEqualTo(400);
            assertThat(problemType(answer)).endsWith("/validation");
            assertThat(json(answer).get("errors").get(0).get("field").asString())
                    .isEqualTo("cursor");
        }
        assertThat(page(issued, 1).get("items")).hasSize(1);
    }

    @Test
    void bothPageQueriesUseTheCreatorIndex() {
        for (int i = 0; i < 45; i++) {
            fixtures.create(PollFixtures.poll().creator(creator));
        }
        String firstPage =
                MyPolls.FIRST_PAGE_SQL.replace(":creator", "'" + creator + "'").replace(":rows", "21");
        String nextPage = MyPolls.NEXT_PAGE_SQL
                .replace(":creator", "'" + creator + "'")
                .replace(":after_created_at", "'" + SAME_MOMENT + "'::timestamptz")
                .replace(":after_poll_id", "'" + UUID.randomUUID() + "'::uuid")
                .replace(":rows", "21");
        List<String> plans = new ArrayList<>();
        TransactionTemplate rolledBack = new TransactionTemplate(transactions);
        rolledBack.executeWithoutResult(tx -> {
            // many polls of other creators, as in production, so that the planner's choice means something;
            // rolled back with the statistics ANALYZE takes of them
            jdbc.sql(
                            """
                            INSERT INTO polls (poll_id, creator_id, title, unique_slug, created_at)
                            SELECT gen_random_uuid(), gen_random_uuid(), 'filler', 'filler-' || gen_random_uuid(),
                                   now() - make_interval(secs => i)
                            FROM generate_series(1, 20000) AS i
                            """)
                    .update();
            jdbc.sql("ANALYZE polls").update();
            plans.add(plan("EXPLAIN " + firstPage));
            plans.add(plan("EXPLAIN " + nextPage));
            tx.setRollbackOnly();
        });

        assertThat(plans.get(0)).contains("Index Scan using polls_creator_idx").doesNotContain("Seq Scan on polls");
        assertThat(plans.get(1))
                .contains("Index Scan using polls_creator_idx")
                .containsPattern("Index Cond: \\(\\(creator_id = '[^']+'::uuid\\) AND \\(created_at <= ")
                .doesNotContain("Seq Scan on polls");
    }

    private String plan(String explain) {
        String plan = String.join("\n", jdbc.sql(explain).query(String.class).list());
        System.out.println(plan);
        return plan;
    }

    private void setCreatedAt(UUID pollId, OffsetDateTime at) {
        jdbc.sql("UPDATE polls SET created_at = ? WHERE poll_id = ?")
                .params(at, pollId)
                .update();
    }

    private JsonNode page(String cursor, Integer limit) throws Exception {
        StringBuilder path = new StringBuilder("/api/me/polls");
        List<String> query = new ArrayList<>();
        if (cursor != null) {
            query.add("cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
        }
        if (limit != null) {
            query.add("limit=" + limit);
        }
        if (!query.isEmpty()) {
            path.append('?').append(String.join("&", query));
        }
        HttpResponse<String> answer = send(creator, path.toString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return json(answer);
    }

    private HttpResponse<String> send(UUID user, String path) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path));
        if (user != null) {
            request.header("X-User-Id", user.toString());
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> answer) {
        return PollsterJson.mapper().readTree(answer.body());
    }

    private static String problemType(HttpResponse<String> answer) {
        assertThat(answer.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        return json(answer).get("type").asString();
    }
}
