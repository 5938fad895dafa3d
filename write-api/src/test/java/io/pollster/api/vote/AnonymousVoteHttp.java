package io.pollster.api.vote;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import tools.jackson.databind.JsonNode;

/** Polls created and voted on through the API, with whatever headers a test of anonymous voting sends. */
final class AnonymousVoteHttp {

    private final HttpClient http = HttpClient.newHttpClient();
    private final int port;

    AnonymousVoteHttp(int port) {
        this.port = port;
    }

    /** A poll of two questions of three choices, created through the API with these voters. */
    TestPoll create(String voters) throws Exception {
        String body =
                """
                {"title": "Anonymous?", "voters": "%s",
                 "questions": [{"text": "One", "choices": ["a", "b", "c"]}, {"text": "Two", "choices": ["x", "y", "z"]}]}
                """
                        .formatted(voters);
        VoteHttp.Answer created =
                send("/api/polls", Map.of("X-User-Id", UUID.randomUUID().toString()), body);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.text("voters")).isEqualTo(voters);
        return TestPoll.of(created.json());
    }

    VoteHttp.Answer vote(TestPoll poll, int choice, Map<String, String> headers) throws Exception {
        return send("/api/polls/" + poll.pollId() + "/votes", headers, VoteHttp.body(poll.answers(choice)));
    }

    VoteHttp.Answer status(TestPoll poll, UUID voteId) throws Exception {
        return send("/api/polls/" + poll.pollId() + "/votes/" + voteId, Map.of(), null);
    }

    VoteHttp.Answer send(String path, Map<String, String> headers, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        headers.forEach(request::header);
        if (body == null) {
            request.GET();
        } else {
            request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new VoteHttp.Answer(
                response.statusCode(),
                response.headers().firstValue("Content-Type").orElse(""),
                response.body());
    }

    /** An address of TEST-NET-3 and a random one of 198.18.0.0/15: fresh in every run. */
    static String randomAddress() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return "198." + (18 + random.nextInt(2)) + "." + random.nextInt(256) + "." + random.nextInt(1, 255);
    }

    /** A poll as the create endpoint answered it: its id, its questions and their choices. */
    record TestPoll(UUID pollId, List<UUID> questions, List<List<UUID>> choices) {

        static final int QUESTIONS = 2;

        static TestPoll of(JsonNode poll) {
            List<UUID> questions = new ArrayList<>();
            List<List<UUID>> choices = new ArrayList<>();
            for (JsonNode question : poll.get("questions")) {
                questions.add(UUID.fromString(question.get("question_id").asString()));
                List<UUID> of = new ArrayList<>();
                for (JsonNode choice : question.get("choices")) {
                    of.add(UUID.fromString(choice.get("choice_id").asString()));
                }
                choices.add(of);
            }
            return new TestPoll(UUID.fromString(poll.get("poll_id").asString()), questions, choices);
        }

        UUID question(int index) {
            return questions.get(index);
        }

        /** Choice {@code choice} of every question. */
        List<UUID[]> answers(int choice) {
            List<UUID[]> answers = new ArrayList<>();
            for (int q = 0; q < questions.size(); q++) {
                answers.add(new UUID[] {questions.get(q), choices.get(q).get(choice)});
            }
            return answers;
        }
    }
}
