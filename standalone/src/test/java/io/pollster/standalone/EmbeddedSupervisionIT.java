package io.pollster.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar, as a child JVM, whose embedded Redis dies and cannot come back: liveness and
 * readiness turn DOWN, and the process exits non-zero so that whatever runs it starts it afresh.
 */
class EmbeddedSupervisionIT {

    @TempDir
    Path workDir;

    @Test
    void livenessIsDownAndTheProcessExitsNonZeroWhenAnEmbeddedServerCannotComeBack() throws Exception {
        try (StandaloneProcess app = new StandaloneProcess(
                workDir,
                "--pollster.embedded.supervision.max-restarts=2",
                "--pollster.embedded.supervision.exit-delay=20s")) {
            app.start();
            assertThat(app.get("/actuator/health/liveness").statusCode()).isEqualTo(200);
            long redis = app.serverPid("redis");
            assertThat(redis).isPositive();
            // Redis's data directory replaced by a file: no restart can succeed
            Path redisDir = app.dataDir().resolve("redis");
            Files.move(redisDir, app.dataDir().resolve("redis-unreachable"));
            Files.writeString(redisDir, "not a directory");

            ProcessHandle.of(redis).orElseThrow().destroyForcibly();

            await().atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofMillis(200))
                    .ignoreExceptions()
                    .untilAsserted(() -> {
                        assertThat(app.get("/actuator/health/liveness").statusCode())
                                .isEqualTo(503);
                        assertThat(app.get("/actuator/health/readiness").statusCode())
                                .isEqualTo(503);
                    });
            assertThat(app.health()
                            .path("components")
                            .path("embedded")
                            .path("details")
                            .path("redis")
                            .path("state")
                            .asString())
                    .isEqualTo("failed");
            assertThat(app.awaitExit(Duration.ofMinutes(2))).isEqualTo(EmbeddedServersSupervision.EXIT_STATUS);
            assertThat(app.log()).contains("Embedded redis could not be restarted after 2 tries");
        }
    }
}
