package io.pollster.api.vote;

import io.pollster.core.json.PollsterJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;

/** A plain HTTP client for the vote endpoints, sending exactly the bytes a test chooses. */
public final class VoteHttp {

    private final HttpClient client = HttpClient.newHttpClient();
    private final String base;

    public VoteHttp(int port) {
        this.base = "http://localhost:" + port;
    }

    public Answer post(String path, String userId, String idempotencyKey, String contentType, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .POST(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        if (userId != null) {
            request.header("X-User-Id", userId);
        }
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        return send(request.build());
    }

    public Answer vote(UUID pollId, UUID userId, String idempotencyKey, List<UUID[]> answers) {
        return post(
                "/api/polls/" + pollId + "/votes",
                userId.toString(),
                idempotencyKey,
                "application/json",
                body(answers));
    }

    public Answer get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET().build());
    }

    /** A GET as the user {@code userId} ({@code X-User-Id}). */
    public Answer getAs(String path, String userId) {
        return send(HttpRequest.newBuilder(URI.create(base + path))
                .header("X-User-Id", userId)
                .GET()
                .build());
    }

    /** {@code {"answers": [...]}} from (question, choice) pairs. */
    public static String body(List<UUID[]> answers) {
        return answers.stream()
                .map(a -> "{\"question_id\":\"" + a[0] + "\",\"choice_id\":\"" + a[1] + "\"}")
                .collect(Collectors.joining(",", "{\"answers\":[", "]}"));
    }

    /** Sends a request as built, and reads its answer. */
    Answer send(HttpRequest request) {
        try {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            return new Answer(
                    response.statusCode(),
                    response.headers().firstValue("Content-Type").orElse(""),
                    response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public record Answer(int status, String contentType, String body) {
        public JsonNode json() {
            return PollsterJson.mapper().readTree(body);
        }

        public String text(String field) {
            JsonNode node = json().get(field);
            return node == null || node.isNull() ? null : node.asString();
        }
    }
}
