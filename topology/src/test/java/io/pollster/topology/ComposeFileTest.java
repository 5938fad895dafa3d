package io.pollster.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The topology reads docker-compose.yml as compose would: anchors, merges, interpolation. */
class ComposeFileTest {

    private static final ComposeFile COMPOSE = ComposeFile.read(Path.of("..", "docker-compose.yml"));

    @Test
    void mergedEnvironmentsKeepTheSharedVariablesAndAddTheirOwn() {
        Map<String, String> api = COMPOSE.environment("write-api");
        Map<String, String> jobs = COMPOSE.environment("jobs");
        assertThat(api).containsKeys("SPRING_DATASOURCE_URL", "SPRING_DATA_REDIS_URL");
        assertThat(jobs).containsAllEntriesOf(api).containsKey("POLLSTER_JOBS_ARCHIVE_STORE");
    }

    @Test
    void anOverrideFileAddsToTheEnvironmentOfTheBaseFile() {
        ComposeFile cluster = ComposeFile.read(
                List.of(Path.of("..", "docker-compose.yml"), Path.of("..", "docker-compose.cluster.yml")));
        assertThat(cluster.environment("write-api"))
                .containsAllEntriesOf(COMPOSE.environment("write-api"))
                .containsKey("SPRING_DATA_REDIS_CLUSTER_NODES");
        assertThat(cluster.containerPort("write-api")).isEqualTo(COMPOSE.containerPort("write-api"));
    }

    @Test
    void theClusterOverrideFormsTheClusterOfTheNodesEveryServiceIsGiven() {
        ComposeFile cluster = ComposeFile.read(
                List.of(Path.of("..", "docker-compose.yml"), Path.of("..", "docker-compose.cluster.yml")));
        String create = String.join(" ", cluster.entrypoint("redis-cluster"));
        List<String> created = List.of(
                create.replaceAll(".*--cluster create (.*?) --.*", "$1").trim().split(" "));
        for (String service : List.of("write-api", "live-gateway", "jobs", "cdc-projector")) {
            assertThat(cluster.environment(service).get(ClusterRedis.NODES_VARIABLE))
                    .as(service)
                    .isEqualTo(String.join(",", created));
        }
        for (String node : created) {
            assertThat(cluster.command(node.substring(0, node.indexOf(':'))))
                    .as(node)
                    .startsWith("redis-server")
                    .containsSequence("--cluster-enabled", "yes")
                    .containsSequence("--appendonly", "yes");
        }
    }

    @Test
    void interpolationTakesTheEnvironmentOrTheDefault() {
        assertThat(ComposeFile.interpolate("${POLLSTER_NO_SUCH_VARIABLE:-fallback}"))
                .isEqualTo("fallback");
        assertThat(ComposeFile.interpolate("a${POLLSTER_NO_SUCH_VARIABLE-b}c")).isEqualTo("abc");
        assertThat(ComposeFile.interpolate("$${PATH}")).isEqualTo("${PATH}");
        assertThat(ComposeFile.interpolate("${PATH:-none}")).isEqualTo(System.getenv("PATH"));
    }

    @Test
    void onlyComposeAddressesAreSubstituted() {
        Map<String, String> substituted = ComposeFile.substitute(
                Map.of("URL", "jdbc:postgresql://postgres:5432/pollster", "OTHER", "postgres:5432"),
                Map.of("postgres:5432", "127.0.0.1:5555"));
        assertThat(substituted)
                .containsEntry("URL", "jdbc:postgresql://127.0.0.1:5555/pollster")
                .containsEntry("OTHER", "postgres:5432");
    }
}
