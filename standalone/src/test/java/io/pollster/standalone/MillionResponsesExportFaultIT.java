package io.pollster.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import io.pollster.embedded.FreePorts;
import io.pollster.testing.PollFixtures;
import io.pollster.testing.ServiceProcess;
import io.pollster.testing.TestServers;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code responses.csv} of a poll with a million responses, exported by the packaged standalone jar run as
 * a child JVM with a 96 MiB heap, one that dies of an OutOfMemoryError instead of limping on: the service
 * must stream the rows, never hold them. A fault test because inserting the rows and starting the jar take
 * minutes on a busy machine.
 */
class MillionResponsesExportFaultIT {

    private static final int VOTERS = 1_000_000;
    private static final Path JAR = Path.of("target", "pollster.jar").toAbsolutePath();
    private static final Path LOGS = Path.of("target", "fault-logs").toAbsolutePath();
    private static final String SLOT = "million_export_fault_it";
    private static final Pattern ROW = Pattern.compile(
            "[0-9a-f-]{36},[0-9a-f-]{36},[0-9a-f-]{36},[0-9a-f-]{36},2026-01-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");

    private final TestServers servers = TestServers.get();
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    private ServiceProcess pollster;

    @AfterEach
    void stop() throws Exception {
        if (pollster != null) {
            pollster.close();
        }
        // a SIGKILLed projector leaves its replication slot behind: it would pin WAL for every later test
        try (Connection db = connect();
                Statement drop = db.createStatement()) {
            drop.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots" + " WHERE slot_name = '"
                    + SLOT + "' AND NOT active");
        }
    }

    @Test
    void aMillionResponsesStreamThroughA96MegabyteHeapLineByLine() throws Exception {
        // first, so that its migrations have made the schema the rows go into
        pollster = ServiceProcess.start(
                "pollster-million-export",
                JAR,
                FreePorts.pick(),
                LOGS,
                List.of("-Xmx96m", "-XX:+ExitOnOutOfMemoryError"),
                Map.of("pollster.cdc.slot-name", SLOT));

        PollFixtures.Poll poll = PollFixtures.onTestServers()
                .create(PollFixtures.poll().questions(1).choices(4));
        long started = System.nanoTime();
        assertThat(PollFixtures.onTestServers().recordVotes(poll, VOTERS)).isEqualTo(VOTERS);
        System.out.printf("Inserted %,d responses in %.1f s%n", VOTERS, seconds(started));
        try (Connection db = connect();
                Statement counts = db.createStatement();
                ResultSet sum = counts.executeQuery(
                        "SELECT sum(count), count(*) FROM choice_counts WHERE poll_id = '" + poll.pollId() + "'")) {
            assertThat(sum.next()).isTrue();
            assertThat(sum.getLong(1)).as("counters agree with the rows").isEqualTo(VOTERS);
            assertThat(sum.getLong(2)).isEqualTo(4);
        }
        try (Connection db = connect();
                Statement counts = db.createStatement();
                ResultSet voters = counts.executeQuery(
                        "SELECT voters FROM poll_voter_counts WHERE poll_id = '" + poll.pollId() + "'")) {
            assertThat(voters.next()).isTrue();
            assertThat(voters.getLong(1)).as("the poll's voter counter").isEqualTo(VOTERS);
        }

        HttpRequest export = HttpRequest.newBuilder(
                        URI.create(pollster.baseUrl() + "/api/polls/" + poll.pollId() + "/responses.csv"))
                .header("X-User-Id", poll.creatorId().toString())
                .build();
        started = System.nanoTime();
        HttpResponse<InputStream> answer = http.send(export, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(answer.statusCode()).isEqualTo(200);
        long lines = 0;
        long chars = 0;
        long malformed = 0;
        try (BufferedReader csv = new BufferedReader(new InputStreamReader(answer.body(), StandardCharsets.UTF_8))) {
            assertThat(csv.readLine()).isEqualTo("response_id,question_id,choice_id,user_id,submitted_at");
            lines++;
            for (String line = csv.readLine(); line != null; line = csv.readLine()) {
                lines++;
                chars += line.length() + 2;
                if (!ROW.matcher(line).matches()) {
                    malformed++;
                }
            }
        }
        double exportSeconds = seconds(started);
        System.out.printf(
                "Exported %,d lines (%,d MB) in %.1f s: %,.0f rows/s%n",
                lines, chars / 1_000_000, exportSeconds, (lines - 1) / exportSeconds);

        assertThat(lines).isEqualTo(VOTERS + 1);
        assertThat(malformed).isZero();
        assertThat(pollster.isAlive()).as("the 96 MiB JVM survived the export").isTrue();
        HttpResponse<String> health = http.send(
                HttpRequest.newBuilder(URI.create(pollster.baseUrl() + "/actuator/health/readiness"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        HttpResponse<String> metrics = http.send(
                HttpRequest.newBuilder(URI.create(pollster.baseUrl() + "/actuator/prometheus"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.statusCode()).isEqualTo(200);
        long heapMax = heap(metrics.body(), "jvm_memory_max_bytes");
        System.out.printf(
                "Heap of the exporting JVM: max %,d KiB, used after the export %,d KiB%n",
                heapMax / 1024, heap(metrics.body(), "jvm_memory_used_bytes") / 1024);
        assertThat(heapMax).as("the -Xmx96m given took effect").isPositive().isLessThanOrEqualTo(96L << 20);
    }

    /** The sum of a JVM memory gauge over the heap's pools, from the Prometheus text format. */
    private static long heap(String prometheus, String gauge) {
        Pattern sample = Pattern.compile("^" + gauge + "\\{[^}]*area=\"heap\"[^}]*} (\\S+)$", Pattern.MULTILINE);
        Matcher samples = sample.matcher(prometheus);
        double sum = 0;
        int pools = 0;
        while (samples.find()) {
            sum += Double.parseDouble(samples.group(1));
            pools++;
        }
        assertThat(pools).as("heap pools of %s", gauge).isPositive();
        return (long) sum;
    }

    private Connection connect() throws Exception {
        return DriverManager.getConnection(servers.jdbcUrl(), servers.username(), servers.password());
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}
