package io.pollster.standalone;

import static java.util.concurrent.TimeUnit.MINUTES;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Prometheus's own checker accepts the shipped monitoring files: the configuration with its rule files,
 * the rules, and the rules' unit tests ({@code deploy/prometheus/alerts-test.yml}), which feed series to
 * the rules and check which alerts fire. {@code promtool} is Debian's {@code prometheus} package,
 * installed by {@code .ci/run}; this runs under {@code -Ptopology} with the other package-dependent tests.
 */
class PrometheusRulesTopologyIT {

    private static final Path PROMETHEUS = RepositoryFiles.root().resolve("deploy/prometheus");

    @Test
    void promtoolAcceptsTheConfigurationAndTheRules() throws Exception {
        assertThat(promtool("check", "config", "prometheus.yml")).contains("SUCCESS: 1 rule files found");
        assertThat(promtool("check", "rules", "alerts.yml")).containsPattern("SUCCESS: \\d+ rules found");
    }

    @Test
    void theAlertRulesFireAsTheirUnitTestsExpect() throws Exception {
        assertThat(promtool("test", "rules", "alerts-test.yml")).contains("SUCCESS");
    }

    private static String promtool(String... arguments) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(executable().toString());
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command)
                .directory(PROMETHEUS.toFile())
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(2, MINUTES)).isTrue();
        assertThat(process.exitValue()).as("%s:%n%s", command, output).isZero();
        return output;
    }

    private static Path executable() {
        return Stream.of(System.getenv("PATH").split(File.pathSeparator))
                .map(dir -> Path.of(dir, "promtool"))
                .filter(Files::isExecutable)
                .findFirst()
                .orElseThrow(() -> new AssertionError(
                        "promtool is not on the PATH: apt-get install prometheus (Debian), as .ci/run does"));
    }
}
