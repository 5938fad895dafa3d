package io.pollster.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * {@code docker-compose.cluster.yml}, the Redis Cluster override of {@code docker-compose.yml}, checked by
 * reading it (no Docker engine here): its nodes run in cluster mode with their AOF, one service forms the
 * cluster, and every deployable waits for it and is pointed at exactly those nodes.
 */
class DockerComposeClusterTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final List<String> DEPLOYABLES = List.of("write-api", "live-gateway", "jobs", "cdc-projector");

    private static Map<String, Map<String, Object>> services;
    private static Map<String, Map<String, Object>> baseServices;

    @BeforeAll
    static void readCompose() throws IOException {
        services = services("docker-compose.cluster.yml");
        baseServices = services("docker-compose.yml");
    }

    @Test
    void everyNodeRunsInClusterModeWithItsAppendOnlyFile() {
        assertThat(nodes()).hasSize(3);
        for (String node : nodes()) {
            String command = String.join(" ", list(services.get(node), "command"));
            assertThat(command)
                    .as(node)
                    .contains("redis-server", "--cluster-enabled yes", "--appendonly yes", "--appendfsync always");
            assertThat(list(services.get(node), "volumes")).as(node).hasSize(1);
        }
        String forming = String.join(" ", list(services.get("redis-cluster"), "entrypoint"));
        nodes().forEach(node -> assertThat(forming).contains(node + ":6379"));
        assertThat(forming).contains("--cluster create", "cluster_state:ok");
    }

    @Test
    void everyDeployableOfTheBaseFileIsPointedAtTheClusterOnceItIsFormed() {
        for (String name : DEPLOYABLES) {
            assertThat(baseServices).as("%s in docker-compose.yml", name).containsKey(name);
            Map<String, Object> service = services.get(name);
            assertThat(service).as(name).isNotNull();
            @SuppressWarnings("unchecked")
            Map<String, String> environment = (Map<String, String>) service.get("environment");
            // relaxed binding: this variable is spring.data.redis.cluster.nodes, which wins over the URL
            Set<String> given = Arrays.stream(
                            environment.get("SPRING_DATA_REDIS_CLUSTER_NODES").split(","))
                    .map(address -> address.substring(0, address.indexOf(':')))
                    .collect(Collectors.toSet());
            assertThat(given).as(name).isEqualTo(Set.copyOf(nodes()));
            @SuppressWarnings("unchecked")
            Map<String, Map<String, String>> dependsOn = (Map<String, Map<String, String>>) service.get("depends_on");
            assertThat(dependsOn.get("redis-cluster"))
                    .as(name)
                    .containsEntry("condition", "service_completed_successfully");
        }
    }

    private static List<String> nodes() {
        return services.keySet().stream()
                .filter(name -> name.matches("redis-\\d+"))
                .sorted()
                .toList();
    }

    @SuppressWarnings("unchecked")
    private static List<String> list(Map<String, Object> service, String key) {
        return (List<String>) service.get(key);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> services(String file) throws IOException {
        try (InputStream in = Files.newInputStream(ROOT.resolve(file))) {
            Map<String, Object> compose = new Yaml().load(in);
            return (Map<String, Map<String, Object>>) compose.get("services");
        }
    }
}
