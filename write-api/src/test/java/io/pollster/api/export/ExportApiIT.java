package io.pollster.api.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.pollster.api.vote.VoteHttp;
import io.pollster.core.identity.VoterIds;
import io.pollster.core.json.PollsterJson;
import io.pollster.testing.PollFixtures;
import io.pollster.testing.PollsterIntegrationTest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

@PollsterIntegrationTest
class ExportApiIT {

    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final PollFixtures fixtures = PollFixtures.onTestServers();

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    VoterIds voterIds;

    @Test
    void resultsCsvQuotesTextsWithCommasQuotesAndLineBreaks() throws Exception {
        PollFixtures.Poll poll = fixtures.create(PollFixtures.poll()
                .questions(2)
                .choices(2)
                .questionText("Best, \"editor\" %d?")
                .choiceText("vim %d")
                .counts(new long[] {5, 0}, new long[] {1, 2}));
        jdbc.sql("UPDATE choices SET choice_text = ? WHERE choice_id = ?")
                .params("two\r\nlines, \"really\"", poll.choiceId(1, 1))
                .update();

        HttpResponse<String> answer = get(null, "/api/polls/" + poll.slug() + "/results.csv", "text/csv");

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.headers().firstValue("Content-Type")).hasValue("text/csv;charset=UTF-8");
        assertThat(answer.headers().firstValue("Content-Disposition"))
                .hasValue("attachment; filename=\"" + poll.slug() + "-results.csv\"");
        assertThat(answer.body())
                .isEqualTo("question_id,question,choice_id,choice,count\r\n"
                        + row(poll.questionId(0), "\"Best, \"\"editor\"\" 0?\"", poll.choiceId(0, 0), "vim 0", 5)
                        + row(poll.questionId(0), "\"Best, \"\"editor\"\" 0?\"", poll.choiceId(0, 1), "vim 1", 0)
                        + row(poll.questionId(1), "\"Best, \"\"editor\"\" 1?\"", poll.choiceId(1, 0), "vim 0", 1)
                        + row(
                                poll.questionId(1),
                                "\"Best, \"\"editor\"\" 1?\"",
                                poll.choiceId(1, 1),
                                "\"two\r\nlines, \"\"really\"\"\"",
                                2));
        assertThat(get(null, "/api/polls/" + poll.pollId() + "/results.csv", null)
                        .body())
                .isEqualTo(answer.body());
    }

    @Test
    void resultsCsvOfAnUnknownPollIs404EvenWhenOnlyCsvIsAccepted() throws Exception {
        for (String poll : List.of(UUID.randomUUID().toString(), "no-such-poll")) {
            HttpResponse<String> answer = get(null, "/api/polls/" + poll + "/results.csv", "text/csv");

            assertThat(answer.statusCode()).isEqualTo(404);
            assertProblem(answer, "not-found");
        }
    }

    @Test
    void resultsCsvOfAnAfterClosePollIsForItsCreatorUntilItCloses() throws Exception {
        PollFixtures.Poll poll = fixtures.create(1, 2);
        settings(poll, "user", "after_close");
        fixtures.recordVotes(poll, 5);
        String path = "/api/polls/" + poll.pollId() + "/results.csv";

        HttpResponse<String> anonymous = get(null, path, "text/csv");
        HttpResponse<String> voter = get(UUID.randomUUID(), path, null);
        HttpResponse<String> creator = get(poll.creatorId(), path, null);

        for (HttpResponse<String> refused : List.of(anonymous, voter)) {
            assertThat(refused.statusCode()).isEqualTo(403);
            assertProblem(refused, "results-hidden");
            assertThat(refused.body()).doesNotContain(poll.choiceId(0, 0).toString());
        }
        assertThat(creator.statusCode()).isEqualTo(200);
        assertThat(creator.body()).contains(poll.choiceId(0, 0) + ",Choice 0,3\r\n");

        // through the API, which tells the poll catalog of every instance
        VoteHttp.Answer closed = new VoteHttp(port)
                .post("/api/polls/" + poll.pollId() + "/close", poll.creatorId().toString(), null, null, null);
        assertThat(closed.status()).as(closed.body()).isEqualTo(200);
        assertThat(get(null, path, null).statusCode()).isEqualTo(200);
        assertThat(get(null, path, null).body()).contains(poll.choiceId(0, 1) + ",Choice 1,2\r\n");
    }

    @Test
    void resultsCsvOfAnAfterVotePollIsForThoseWhoVoted() throws Exception {
        PollFixtures.Poll users = fixtures.create(1, 2);
        settings(users, "user", "after_vote");
        UUID voter = UUID.randomUUID();
        recordResponse(users, voter);
        PollFixtures.Poll devices = fixtures.create(1, 2);
        settings(devices, "device", "after_vote");
        UUID device = UUID.randomUUID();
        recordResponse(devices, voterIds.ofDevice(device));
        String usersPath = "/api/polls/" + users.pollId() + "/results.csv";
        String devicesPath = "/api/polls/" + devices.slug() + "/results.csv";

        assertThat(get(voter, usersPath, null).statusCode()).isEqualTo(200);
        assertThat(get(users.creatorId(), usersPath, null).statusCode()).isEqualTo(200);
        assertProblem(get(UUID.randomUUID(), usersPath, null), "results-hidden");
        assertProblem(get(null, usersPath, null), "results-hidden");
        assertThat(device(device, devicesPath).statusCode()).isEqualTo(200);
        assertThat(device(device, devicesPath).body()).contains(devices.choiceId(0, 0) + ",Choice 0,1\r\n");
        HttpResponse<String> otherDevice = device(UUID.randomUUID(), devicesPath);
        assertThat(otherDevice.statusCode()).isEqualTo(403);
        assertProblem(otherDevice, "results-hidden");
        assertProblem(get(null, devicesPath, null), "results-hidden");
    }

    @Test
    void responsesCsvHasEveryRecordedResponseOfVotesSentThroughTheApi() throws Exception {
        PollFixtures.Poll poll = fixtures.create(2, 3);
        VoteHttp votes = new VoteHttp(port);
        for (int voter = 0; voter < 3; voter++) {
            VoteHttp.Answer accepted = votes.vote(
                    poll.pollId(),
                    UUID.randomUUID(),
                    null,
                    List.of(
                            new UUID[] {poll.questionId(0), poll.choiceId(0, voter)},
                            new UUID[] {poll.questionId(1), poll.choiceId(1, 2 - voter)}));
            assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        }
        await().atMost(Duration.ofMinutes(2)).until(() -> responses(poll.pollId()) == 6);
        List<String> expected = jdbc.sql(
                        """
                        SELECT response_id, question_id, choice_id, user_id, submitted_at
                        FROM responses WHERE poll_id = ? ORDER BY submitted_at, response_id
                        """)
                .param(poll.pollId())
                .query((rs, n) -> String.join(
                        ",",
                        rs.getString(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getObject(5, OffsetDateTime.class).toInstant().toString()))
                .list();

        HttpResponse<String> answer = get(poll.creatorId(), "/api/polls/" + poll.pollId() + "/responses.csv", null);

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.headers().firstValue("Content-Type")).hasValue("text/csv;charset=UTF-8");
        assertThat(answer.headers().firstValue("Content-Disposition"))
                .hasValue("attachment; filename=\"" + poll.slug() + "-responses.csv\"");
        List<String> lines = List.of(answer.body().split("\r\n", -1));
        assertThat(lines.get(0)).isEqualTo("response_id,question_id,choice_id,user_id,submitted_at");
        assertThat(lines.subList(1, lines.size() - 1)).containsExactlyElementsOf(expected);
        assertThat(lines.get(lines.size() - 1))
                .as("the file ends with a line end")
                .isEmpty();
    }

    @Test
    void responsesCsvOfAPollWithoutResponsesIsItsHeader() throws Exception {
        PollFixtures.Poll poll = fixtures.create(1, 2);

        HttpResponse<String> answer = get(poll.creatorId(), "/api/polls/" + poll.pollId() + "/responses.csv", null);

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).isEqualTo("response_id,question_id,choice_id,user_id,submitted_at\r\n");
    }

    @Test
    void responsesCsvIsRefusedToAnyoneButTheCreator() throws Exception {
        PollFixtures.Poll poll = fixtures.create(1, 2);
        fixtures.recordVotes(poll, 10);
        String path = "/api/polls/" + poll.pollId() + "/responses.csv";

        HttpResponse<String> anonymous = get(null, path, "text/csv");
        HttpResponse<String> someoneElse = get(UUID.randomUUID(), path, "text/csv");
        HttpResponse<String> unknown =
                get(poll.creatorId(), "/api/polls/" + UUID.randomUUID() + "/responses.csv", null);

        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertProblem(anonymous, "unauthenticated");
        assertThat(someoneElse.statusCode()).isEqualTo(403);
        assertProblem(someoneElse, "not-poll-owner");
        assertThat(someoneElse.body()).doesNotContain(poll.choiceId(0, 0).toString());
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertProblem(unknown, "not-found");
    }

    @Test
    void anExportCutOffByPostgresMidStreamBreaksTheConnectionInsteadOfEndingTheFile() throws Exception {
        PollFixtures.Poll poll = fixtures.create(1, 2);
        int voters = 200_000; // ~34 MB of CSV: far more than the socket buffers hold
        fixtures.recordVotes(poll, voters);
        HttpRequest request = HttpRequest.newBuilder(
                        URI.create("http://localhost:" + port + "/api/polls/" + poll.pollId() + "/responses.csv"))
                .header("X-User-Id", poll.creatorId().toString())
                .build();

        HttpResponse<InputStream> answer = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        long[] lines = {0};
        try (BufferedReader csv = new BufferedReader(new InputStreamReader(answer.body(), StandardCharsets.UTF_8))) {
            assertThat(csv.readLine()).isEqualTo("response_id,question_id,choice_id,user_id,submitted_at");
            // the export's connection sits in its transaction, its cursor half read: cut it off
            await().atMost(Duration.ofMinutes(1)).until(() -> terminateExportBackends() > 0);
            assertThatThrownBy(() -> {
                        while (csv.readLine() != null) {
                            lines[0]++;
                        }
                    })
                    .isInstanceOf(IOException.class);
        }
        assertThat(lines[0]).isLessThan(voters);

        // the service goes on: the next export is whole
        HttpResponse<InputStream> again = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader csv = new BufferedReader(new InputStreamReader(again.body(), StandardCharsets.UTF_8))) {
            assertThat(csv.lines().count()).isEqualTo(voters + 1);
        }
    }

    private void settings(PollFixtures.Poll poll, String voters, String visibility) {
        jdbc.sql("UPDATE polls SET voters = ?, results_visibility = ? WHERE poll_id = ?")
                .params(voters, visibility, poll.pollId())
                .update();
    }

    /** A vote of {@code voterId} for the first choice of the poll's first question, as the ingester records it. */
    private void recordResponse(PollFixtures.Poll poll, UUID voterId) {
        jdbc.sql(
                        """
                        INSERT INTO responses (response_id, poll_id, question_id, choice_id, user_id, vote_id, submitted_at)
                        VALUES (gen_random_uuid(), ?, ?, ?, ?, gen_random_uuid(), now())
                        """)
                .params(poll.pollId(), poll.questionId(0), poll.choiceId(0, 0), voterId)
                .update();
        jdbc.sql("UPDATE choice_counts SET count = count + 1 WHERE choice_id = ?")
                .param(poll.choiceId(0, 0))
                .update();
    }

    private HttpResponse<String> device(UUID deviceId, String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                        .header("X-Device-Id", deviceId.toString())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private int terminateExportBackends() {
        return jdbc.sql(
                        """
                        SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity
                        WHERE pid <> pg_backend_pid() AND query LIKE 'SELECT response_id, question_id, choice_id%'
                        """)
                .query(Integer.class)
                .single();
    }

    private long responses(UUID pollId) {
        return jdbc.sql("SELECT count(*) FROM responses WHERE poll_id = ?")
                .param(pollId)
                .query(Long.class)
                .single();
    }

    private static String row(UUID questionId, String question, UUID choiceId, String choice, long count) {
        return questionId + "," + question + "," + choiceId + "," + choice + "," + count + "\r\n";
    }

    private HttpResponse<String> get(UUID user, String path, String accept) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path));
        if (user != null) {
            request.header("X-User-Id", user.toString());
        }
        if (accept != null) {
            request.header("Accept", accept);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertProblem(HttpResponse<String> answer, String slug) {
        assertThat(answer.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(PollsterJson.mapper().readTree(answer.body()).get("type").asString())
                .endsWith("/problems/" + slug);
    }
}
