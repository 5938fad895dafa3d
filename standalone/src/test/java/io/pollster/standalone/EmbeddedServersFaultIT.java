package io.pollster.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar under a steady vote load while its embedded redis-server, then its postmaster, is
 * SIGKILLed: each comes back without a human, votes are accepted again, and nothing is lost or counted
 * twice.
 */
class EmbeddedServersFaultIT {

    @TempDir
    static Path workDir;

    private static StandaloneProcess app;

    @BeforeAll
    static void start() {
        app = new StandaloneProcess(workDir).start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (app != null) {
            app.close();
        }
    }

    @Test
    void redisKilledUnderLoadIsBackWithoutAHumanAndLosesNothing() throws Exception {
        double restartsBefore = restarts("redis");
        VoteLoad load = VoteLoad.start(app.baseUrl(), Duration.ofMillis(20));
        await().atMost(Duration.ofMinutes(2)).until(() -> load.acceptedCount() >= 200);
        long killed = app.serverPid("redis");

        long killedAt = System.nanoTime();
        ProcessHandle.of(killed).orElseThrow().destroyForcibly();

        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> load.acceptedSentAfter(killedAt) > 0);
        long backAfter = load.firstAcceptedSentAfter(killedAt) - killedAt;
        await().atMost(Duration.ofMinutes(2)).until(() -> load.acceptedSentAfter(killedAt) >= 200);
        load.close();

        assertThat(app.serverPid("redis")).isPositive().isNotEqualTo(killed);
        assertThat(restarts("redis")).isEqualTo(restartsBefore + 1);
        assertThat(load.others()).as("answers other than 202 and 503").allMatch(o -> o.status() == 503);
        ExactCounts.assertEveryAcceptedVoteCountedOnce(app, load);
        System.out.printf(
                "redis-server SIGKILL: votes accepted again %d ms after the kill; %d accepted, %d answered 503%n",
                Duration.ofNanos(backAfter).toMillis(),
                load.acceptedCount(),
                load.others().size());
    }

    @Test
    void postmasterKilledUnderLoadIsBackWithoutAHumanAndLosesNothing() throws Exception {
        double restartsBefore = restarts("postgres");
        VoteLoad load = VoteLoad.start(app.baseUrl(), Duration.ofMillis(20));
        await().atMost(Duration.ofMinutes(2)).until(() -> load.acceptedCount() >= 200);
        long killed = app.serverPid("postgres");

        long killedAt = System.nanoTime();
        ProcessHandle.of(killed).orElseThrow().destroyForcibly();

        await().atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofMillis(200))
                .ignoreExceptions()
                .until(() -> app.serverPid("postgres") > 0 && app.serverPid("postgres") != killed);
        long restartedAfter = System.nanoTime() - killedAt;
        await().atMost(Duration.ofMinutes(2)).until(() -> load.acceptedSentAfter(killedAt) >= 200);
        load.close();

        assertThat(restarts("postgres")).isEqualTo(restartsBefore + 1);
        assertThat(load.others()).as("answers other than 202 and 503").allMatch(o -> o.status() == 503);
        ExactCounts.assertEveryAcceptedVoteCountedOnce(app, load);
        System.out.printf(
                "postmaster SIGKILL: restarted and seen by health %d ms after the kill; %d accepted, %d answered 503%n",
                Duration.ofNanos(restartedAfter).toMillis(),
                load.acceptedCount(),
                load.others().size());
    }

    /** {@code pollster_embedded_restarts_total{server}}, as Prometheus scrapes it. */
    private double restarts(String server) throws Exception {
        String metrics = app.get("/actuator/prometheus").body();
        Matcher count = Pattern.compile(
                        "pollster_embedded_restarts_total\\{[^}]*server=\"" + server + "\"[^}]*\\} ([0-9.]+)")
                .matcher(metrics);
        assertThat(count.find()).as("the restarts metric of " + server).isTrue();
        return Double.parseDouble(count.group(1));
    }
}
