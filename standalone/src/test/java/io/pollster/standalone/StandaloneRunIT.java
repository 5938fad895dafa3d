package io.pollster.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import io.pollster.testing.PollFixtures;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The README's run command, in-process: embedded, durable servers on a data directory of its own. */
class StandaloneRunIT {

    @TempDir
    Path dataDir;

    private ConfigurableApplicationContext start() {
        return new SpringApplicationBuilder(PollsterApplication.class)
                .properties(io.pollster.core.ServiceDefaults.of("pollster", 8080))
                .run(
                        "--server.port=0",
                        "--pollster.embedded.data-dir=" + dataDir,
                        "--pollster.embedded.postgres-port=0",
                        "--pollster.embedded.redis-port=0",
                        // the operator's view: health details on a management port of its own
                        "--management.server.port=0",
                        "--management.endpoint.health.show-details=always");
    }

    @Test
    void startsOnEmbeddedServersHealthyDurableAndKeepsDataAcrossARestart() throws Exception {
        UUID pollId = UUID.randomUUID();
        try (ConfigurableApplicationContext app = start()) {
            JsonNode health = health(app);
            assertThat(health.path("status").asString()).isEqualTo("UP");
            assertThat(health.path("components").path("db").path("status").asString())
                    .isEqualTo("UP");
            assertThat(health.path("components").path("redis").path("status").asString())
                    .isEqualTo("UP");

            JdbcClient jdbc = app.getBean(JdbcClient.class);
            assertThat(jdbc.sql("SHOW fsync").query(String.class).single()).isEqualTo("on");
            assertThat(jdbc.sql("SHOW synchronous_commit").query(String.class).single())
                    .isEqualTo("on");
            assertThat(jdbc.sql("SHOW wal_level").query(String.class).single()).isEqualTo("logical");

            new PollFixtures(app.getBean(DataSource.class))
                    .create(PollFixtures.poll().pollId(pollId).title("Kept?"));
            app.getBean(StringRedisTemplate.class).opsForValue().set("kept:" + pollId, "yes");
        }

        try (ConfigurableApplicationContext app = start()) {
            assertThat(app.getBean(JdbcClient.class)
                            .sql("SELECT title FROM polls WHERE poll_id = ?")
                            .param(pollId)
                            .query(String.class)
                            .single())
                    .isEqualTo("Kept?");
            assertThat(app.getBean(StringRedisTemplate.class).opsForValue().get("kept:" + pollId))
                    .isEqualTo("yes");
        }
    }

    private static JsonNode health(ConfigurableApplicationContext app) throws Exception {
        String port = app.getEnvironment().getProperty("local.management.port");
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/actuator/health"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        return JsonMapper.builder().build().readTree(response.body());
    }
}
