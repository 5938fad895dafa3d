package io.pollster.jobs.notify;

import static org.assertj.core.api.Assertions.assertThat;

import io.pollster.core.json.PollsterJson;
import io.pollster.jobs.JobsIntegrationTestSupport;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** {@code GET /api/notifications} as docs/api.md describes it. */
class NotificationsEndpointIT extends JobsIntegrationTestSupport {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void listsTheCallersNotificationsNewestFirst() throws Exception {
        UUID creator = UUID.randomUUID();
        TestPoll poll = createPoll(creator, null, 1, 2);
        UUID older = insertNotification(creator, poll.pollId(), "Your poll just hit 100 votes!", 1);
        UUID newer = insertNotification(creator, poll.pollId(), "Your poll just hit 1,000 votes!", 2);
        insertNotification(UUID.randomUUID(), poll.pollId(), "someone else's", 3);

        HttpResponse<String> response = get(creator.toString());

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode items = PollsterJson.mapper().readTree(response.body()).get("items");
        assertThat(items).hasSize(2);
        assertThat(items.get(0).get("notification_id").asString()).isEqualTo(newer.toString());
        assertThat(items.get(0).get("poll_id").asString())
                .isEqualTo(poll.pollId().toString());
        assertThat(items.get(0).get("type").asString()).isEqualTo("milestone");
        assertThat(items.get(0).get("message").asString()).isEqualTo("Your poll just hit 1,000 votes!");
        assertThat(items.get(0).get("created_at").asString()).isEqualTo("2026-01-01T00:00:02Z");
        assertThat(items.get(1).get("notification_id").asString()).isEqualTo(older.toString());
    }

    @Test
    void aUserWithoutNotificationsGetsAnEmptyList() throws Exception {
        HttpResponse<String> response = get(UUID.randomUUID().toString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(PollsterJson.mapper().readTree(response.body()).get("items")).isEmpty();
    }

    @Test
    void missingUserIdIsUnauthenticated() throws Exception {
        assertUnauthenticated(get(null));
    }

    @Test
    void malformedUserIdIsUnauthenticated() throws Exception {
        assertUnauthenticated(get("not-a-uuid"));
    }

    private void assertUnauthenticated(HttpResponse<String> response) {
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        JsonNode problem = PollsterJson.mapper().readTree(response.body());
        assertThat(problem.get("type").asString()).endsWith("/problems/unauthenticated");
        assertThat(problem.get("status").asInt()).isEqualTo(401);
        assertThat(problem.get("title").asString()).isNotBlank();
        assertThat(problem.get("detail").asString()).contains("X-User-Id");
        assertThat(problem.get("instance").asString()).isEqualTo("/api/notifications");
    }

    private HttpResponse<String> get(String userId) throws IOException, InterruptedException {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/notifications"));
        if (userId != null) {
            request.header("X-User-Id", userId);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private UUID insertNotification(UUID recipient, UUID pollId, String message, int second) {
        UUID id = UUID.randomUUID();
        jdbc.sql(
                        """
                        INSERT INTO notifications (notification_id, recipient_id, poll_id, type, message, created_at)
                        VALUES (?, ?, ?, 'milestone', ?, ?)
                        """)
                .params(id, recipient, pollId, message, OffsetDateTime.of(2026, 1, 1, 0, 0, second, 0, ZoneOffset.UTC))
                .update();
        return id;
    }
}
