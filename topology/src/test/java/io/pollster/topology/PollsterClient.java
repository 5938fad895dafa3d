package io.pollster.topology;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** The HTTP API of docs/api.md as a client reaches it: through the load balancer only. */
public final class PollsterClient {

    static final JsonMapper JSON = JsonMapper.builder().build();

    private final LoadBalancer loadBalancer;
    private final Identity identity;
    private final HttpClient http;

    public PollsterClient(LoadBalancer loadBalancer, Identity identity) {
        this.loadBalancer = loadBalancer;
        this.identity = identity;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    public Identity identity() {
        return identity;
    }

    public HttpClient http() {
        return http;
    }

    /** A poll of {@code questions}, each a list of choice texts, created by {@code creator}. */
    public Poll createPoll(UUID creator, String title, List<List<String>> questions) throws Exception {
        ObjectNode body = JSON.createObjectNode().put("title", title);
        ArrayNode list = body.putArray("questions");
        for (int i = 0; i < questions.size(); i++) {
            ObjectNode question = list.addObject().put("text", "Question " + (i + 1));
            questions.get(i).forEach(question.putArray("choices")::add);
        }
        HttpResponse<String> response = post(creator, "/api/polls", body.toString(), UnaryOperator.identity());
        if (response.statusCode() != 201) {
            throw new IllegalStateException(
                    "creating a poll answered " + response.statusCode() + ": " + response.body());
        }
        return Poll.of(JSON.readTree(response.body()));
    }

    /** POST of a vote with an Idempotency-Key, so an answer lost with a crash can be asked again. */
    public HttpResponse<String> vote(UUID user, Poll poll, Map<String, String> choiceByQuestion, String idempotencyKey)
            throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode answers = body.putArray("answers");
        choiceByQuestion.forEach((question, choice) ->
                answers.addObject().put("question_id", question).put("choice_id", choice));
        return post(
                user,
                "/api/polls/" + poll.id() + "/votes",
                body.toString(),
                request -> request.header("Idempotency-Key", idempotencyKey));
    }

    public JsonNode results(String pollIdOrSlug) throws Exception {
        HttpResponse<String> response = get("/api/polls/" + pollIdOrSlug + "/results");
        if (response.statusCode() != 200) {
            throw new IllegalStateException("results answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    public HttpResponse<String> close(UUID creator, Poll poll) throws IOException, InterruptedException {
        return post(creator, "/api/polls/" + poll.id() + "/close", "", UnaryOperator.identity());
    }

    public HttpResponse<String> notifications(UUID user) throws IOException, InterruptedException {
        return send(identity.as(user, request("/api/notifications")).GET());
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send(request(path).GET());
    }

    public HttpResponse<String> post(UUID user, String path, String json, UnaryOperator<HttpRequest.Builder> more)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = request(path)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        return send(more.apply(user == null ? request : identity.as(user, request)));
    }

    public HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(loadBalancer.http(path)).timeout(Duration.ofSeconds(30));
    }

    public HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    public URI ws(String path) {
        return loadBalancer.ws(path);
    }

    public URI http(String path) {
        return loadBalancer.http(path);
    }

    /** A created poll: its ids, and its choices per question in order. */
    public record Poll(String id, String slug, String creatorId, Map<String, List<String>> choicesByQuestion) {

        static Poll of(JsonNode poll) {
            Map<String, List<String>> choices = new LinkedHashMap<>();
            for (JsonNode question : poll.path("questions")) {
                List<String> ids = new ArrayList<>();
                question.path("choices")
                        .forEach(choice -> ids.add(choice.path("choice_id").asString()));
                choices.put(question.path("question_id").asString(), List.copyOf(ids));
            }
            return new Poll(
                    poll.path("poll_id").asString(),
                    poll.path("slug").asString(),
                    poll.path("creator_id").asString(),
                    choices);
        }
    }

    /** {@code choice_id → count} of a Results body (API shape), every choice of every question. */
    public static Map<String, Long> counts(JsonNode results) {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (JsonNode question : results.path("questions")) {
            for (JsonNode choice : question.path("choices")) {
                counts.put(
                        choice.path("choice_id").asString(),
                        choice.path("count").asLong());
            }
        }
        return counts;
    }
}
