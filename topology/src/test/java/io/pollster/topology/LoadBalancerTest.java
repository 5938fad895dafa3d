package io.pollster.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The topology runs the shipped nginx.conf: rendering it changes its addresses and nothing else. */
class LoadBalancerTest {

    private static final Path SHIPPED = Path.of("..", "deploy", "nginx.conf");

    private static final Map<String, List<String>> UPSTREAMS = Map.of(
            "write-api:8080", List.of("127.0.0.1:1001", "127.0.0.1:1002"),
            "live-gateway:8081", List.of("127.0.0.1:2001", "127.0.0.1:2002"),
            "jobs:8082", List.of("127.0.0.1:3001"));

    @Test
    void onlyUpstreamServersAndTheListenPortChange() throws Exception {
        List<String> shipped = Files.readAllLines(SHIPPED);
        List<String> rendered = List.of(
                LoadBalancer.render(Files.readString(SHIPPED), UPSTREAMS, 4242).split("\n", -1));

        List<String> removed = new ArrayList<>(shipped);
        removed.removeAll(rendered);
        List<String> added = new ArrayList<>(rendered);
        added.removeAll(shipped);
        assertThat(removed)
                .map(String::strip)
                .containsExactlyInAnyOrder(
                        "server write-api:8080;", "server live-gateway:8081;", "server jobs:8082;", "listen 80;");
        assertThat(added)
                .map(String::strip)
                .containsExactlyInAnyOrder(
                        "server 127.0.0.1:1001;",
                        "server 127.0.0.1:1002;",
                        "server 127.0.0.1:2001;",
                        "server 127.0.0.1:2002;",
                        "server 127.0.0.1:3001;",
                        "listen 127.0.0.1:4242;");
    }

    @Test
    void anUpstreamTheTopologyDoesNotRunFailsTheRendering() throws Exception {
        String shipped = Files.readString(SHIPPED);
        assertThatThrownBy(() -> LoadBalancer.render(shipped, Map.of("write-api:8080", List.of("127.0.0.1:1")), 4242))
                .hasMessageContaining("which this topology does not run");
    }
}
