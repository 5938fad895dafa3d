package io.pollster.topology;

import io.pollster.topology.PollsterClient.Poll;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Many distinct users voting on one poll through the load balancer, each once, as a crowd would:
 * concurrently, each answering every question with a choice of its own. A request that gets no answer
 * (its instance died under it: 502, 503, a reset connection) is asked again with the same
 * Idempotency-Key until the API answers, so each user ends either accepted or rejected, and the test
 * knows exactly which counts PostgreSQL and Redis must end with.
 */
public final class Voters implements AutoCloseable {

    private static final int MAX_TRIES = 200;
    private static final Duration RETRY_BACKOFF = Duration.ofMillis(100);

    private final PollsterClient client;
    private final Poll poll;
    private final int maxUsers;
    private final Duration pace;
    private final ExecutorService threads;
    private final Random random;
    private final AtomicInteger nextUser = new AtomicInteger();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicLong retries = new AtomicLong();
    private final Map<String, AtomicLong> expected = new ConcurrentHashMap<>();
    private final List<String> failures = new CopyOnWriteArrayList<>();
    private final List<java.util.concurrent.Future<?>> running = new ArrayList<>();
    private volatile boolean stopped;

    private Voters(PollsterClient client, Poll poll, int threadCount, int maxUsers, Duration pace, long seed) {
        this.client = client;
        this.poll = poll;
        this.maxUsers = maxUsers;
        this.pace = pace;
        this.random = new Random(seed);
        poll.choicesByQuestion().values().forEach(choices -> choices.forEach(c -> expected.put(c, new AtomicLong())));
        this.threads = Executors.newFixedThreadPool(threadCount, r -> {
            Thread thread = new Thread(r, "voter");
            thread.setDaemon(true);
            return thread;
        });
        for (int i = 0; i < threadCount; i++) {
            running.add(threads.submit(this::voteUntilDone));
        }
    }

    /** Starts {@code maxUsers} users voting on {@code threadCount} threads, each waiting {@code pace} between votes. */
    public static Voters start(
            PollsterClient client, Poll poll, int threadCount, int maxUsers, Duration pace, long seed) {
        return new Voters(client, poll, threadCount, maxUsers, pace, seed);
    }

    private void voteUntilDone() {
        while (!stopped) {
            int user = nextUser.getAndIncrement();
            if (user >= maxUsers) {
                return;
            }
            voteAs(UUID.randomUUID(), pickAnswers());
            if (!pace.isZero()) {
                LockSupport.parkNanos(pace.toNanos());
            }
        }
    }

    private synchronized Map<String, String> pickAnswers() {
        Map<String, String> answers = new LinkedHashMap<>();
        poll.choicesByQuestion()
                .forEach((question, choices) -> answers.put(question, choices.get(random.nextInt(choices.size()))));
        return answers;
    }

    private void voteAs(UUID user, Map<String, String> answers) {
        String key = UUID.randomUUID().toString();
        for (int attempt = 1; attempt <= MAX_TRIES; attempt++) {
            int status;
            String body;
            try {
                HttpResponse<String> response = client.vote(user, poll, answers, key);
                status = response.statusCode();
                body = response.body();
            } catch (IOException e) {
                status = -1;
                body = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (status == 202) {
                count(answers);
                return;
            }
            if (status == 409 && attempt > 1 && body.contains("already-voted")) {
                // an earlier try of this request was accepted before its answer was lost
                count(answers);
                return;
            }
            if (status == -1 || status == 502 || status == 503 || status == 504) {
                retries.incrementAndGet();
                LockSupport.parkNanos(RETRY_BACKOFF.toNanos());
                continue;
            }
            failures.add("user " + user + " answered " + status + " on try " + attempt + ": " + body);
            return;
        }
        failures.add("user " + user + " got no answer in " + MAX_TRIES + " tries");
    }

    private void count(Map<String, String> answers) {
        answers.values().forEach(choice -> expected.get(choice).incrementAndGet());
        accepted.incrementAndGet();
    }

    /** Users whose vote was accepted so far. */
    public int accepted() {
        return accepted.get();
    }

    /** Requests asked again because no answer came (their instance died, or nginx had none up). */
    public long retries() {
        return retries.get();
    }

    /** Votes the API refused or that never got an answer: none is expected. */
    public List<String> failures() {
        return List.copyOf(failures);
    }

    /** {@code choice_id → accepted votes for it}, every choice of the poll. */
    public Map<String, Long> expectedCounts() {
        Map<String, Long> counts = new LinkedHashMap<>();
        poll.choicesByQuestion()
                .values()
                .forEach(choices ->
                        choices.forEach(c -> counts.put(c, expected.get(c).get())));
        return counts;
    }

    /** Lets the users in flight finish their vote and starts no new one. */
    public void stopAndWait() throws Exception {
        stopped = true;
        awaitDone();
    }

    /** Waits until every user has voted (or {@link #stopAndWait()} was called). */
    public void awaitDone() throws Exception {
        for (var future : running) {
            future.get(10, TimeUnit.MINUTES);
        }
    }

    @Override
    public void close() {
        stopped = true;
        threads.shutdownNow();
    }
}
