package io.pollster.standalone;

import io.pollster.core.json.PollsterJson;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.JsonNode;

/**
 * A steady stream of votes on one poll, each from a new user, at a fixed rate: every answer is
 * recorded, so a test knows exactly which votes were accepted (202) and what else came back.
 */
final class VoteLoad implements AutoCloseable {

    /** One request's outcome: its user, its status (0 for no answer at all) and when it was sent. */
    record Outcome(UUID user, int status, long sentNanos, String detail) {}

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final String base;
    private final UUID pollId;
    private final UUID questionId;
    private final List<UUID> choices;
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
    private final Semaphore inFlight = new Semaphore(64);
    private final AtomicLong sent = new AtomicLong();
    private final Map<UUID, UUID> accepted = new ConcurrentHashMap<>();
    private final Map<UUID, Long> acceptedSentNanos = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Outcome> others = new ConcurrentLinkedQueue<>();

    private VoteLoad(String base, UUID pollId, UUID questionId, List<UUID> choices) {
        this.base = base;
        this.pollId = pollId;
        this.questionId = questionId;
        this.choices = choices;
    }

    /** Creates a poll with one question of three choices and votes on it every {@code interval}. */
    static VoteLoad start(String base, Duration interval) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> created = http.send(
                HttpRequest.newBuilder(URI.create(base + "/api/polls"))
                        .header("Content-Type", "application/json")
                        .header("X-User-Id", UUID.randomUUID().toString())
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"title\":\"Under fire\",\"questions\":[{\"text\":\"Pick one\","
                                        + "\"choices\":[\"red\",\"green\",\"blue\"]}]}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (created.statusCode() != 201) {
            throw new IllegalStateException("poll not created: " + created.statusCode() + " " + created.body());
        }
        JsonNode poll = PollsterJson.mapper().readTree(created.body());
        JsonNode question = poll.path("questions").get(0);
        List<UUID> choices = question.path("choices")
                .valueStream()
                .map(choice -> UUID.fromString(choice.path("choice_id").asString()))
                .toList();
        VoteLoad load = new VoteLoad(
                base,
                UUID.fromString(poll.path("poll_id").asString()),
                UUID.fromString(question.path("question_id").asString()),
                choices);
        load.ticker.scheduleAtFixedRate(load::voteOnce, 0, interval.toNanos(), TimeUnit.NANOSECONDS);
        return load;
    }

    private void voteOnce() {
        if (!inFlight.tryAcquire()) {
            return; // the server is slow or away: keep the rate, do not pile up
        }
        UUID user = UUID.randomUUID();
        UUID choice = choices.get((int) (sent.getAndIncrement() % choices.size()));
        long sentAt = System.nanoTime();
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/polls/" + pollId + "/votes"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header("X-User-Id", user.toString())
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"answers\":[{\"question_id\":\"" + questionId + "\",\"choice_id\":\"" + choice + "\"}]}"))
                .build();
        http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, failure) -> {
            try {
                if (failure != null) {
                    others.add(new Outcome(user, 0, sentAt, failure.toString()));
                } else if (response.statusCode() == 202) {
                    acceptedSentNanos.put(user, sentAt);
                    accepted.put(user, choice);
                } else {
                    others.add(new Outcome(user, response.statusCode(), sentAt, response.body()));
                }
            } finally {
                inFlight.release();
            }
        });
    }

    UUID pollId() {
        return pollId;
    }

    List<UUID> choices() {
        return choices;
    }

    /** Users whose vote was answered 202, with the choice they voted for. */
    Map<UUID, UUID> accepted() {
        return Map.copyOf(accepted);
    }

    int acceptedCount() {
        return accepted.size();
    }

    /** How many votes sent after {@code nanos} ({@link System#nanoTime()}) were accepted. */
    long acceptedSentAfter(long nanos) {
        return acceptedSentNanos.values().stream().filter(sent -> sent > nanos).count();
    }

    /** When the first vote sent after {@code nanos} and accepted was sent. */
    long firstAcceptedSentAfter(long nanos) {
        return acceptedSentNanos.values().stream()
                .filter(sent -> sent > nanos)
                .min(Long::compare)
                .orElseThrow();
    }

    /**
     * Users whose request got no answer at all (the process died with it in flight) or a 503 (a store
     * died with it in flight: redis-server SIGKILLed after it ran the vote's script and before it
     * answered resets the connection, and the outcome is unknown to the server too): their vote may or
     * may not have been accepted, and either is right. A client learns which by trying again.
     */
    java.util.Set<UUID> unanswered() {
        return others.stream()
                .filter(outcome -> outcome.status() == 0 || outcome.status() == 503)
                .map(Outcome::user)
                .collect(java.util.stream.Collectors.toSet());
    }

    /** Every answer that was not 202, and every request that got no answer. */
    List<Outcome> others() {
        return List.copyOf(others);
    }

    /** Stops voting and waits for the answers to the requests still in flight. */
    @Override
    public void close() throws InterruptedException {
        ticker.shutdownNow();
        ticker.awaitTermination(10, TimeUnit.SECONDS);
        if (!inFlight.tryAcquire(64, 60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("requests still in flight a minute after the load stopped");
        }
        inFlight.release(64);
    }
}
