package io.pollster.api.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.pollster.api.vote.VoteHttp;
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
