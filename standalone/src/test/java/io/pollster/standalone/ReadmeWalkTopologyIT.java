package io.pollster.standalone;

import static java.util.concurrent.TimeUnit.MINUTES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pollster.embedded.FreePorts;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A newcomer's first ten minutes, from the README itself so that the two cannot drift apart: clone the
 * repository, run the README's run command (on free ports and a data directory of its own, given as
 * the properties the README documents), paste the README's example session into bash with nothing on
 * the PATH but what a fresh Debian with a JDK has (plus curl, which the README asks for), and check
 * every step answered; then stop Pollster with SIGTERM, as the README says.
 */
class ReadmeWalkTopologyIT {

    /** The README's test command: what CI ({@code .ci/run}) runs. */
    static final String TEST_COMMAND = "./mvnw -B verify";

    /**
     * What the example session may call: bash and Debian's Essential tools (coreutils, grep, sed), plus
     * curl. No uuidgen (util-linux's uuid-runtime is optional), no jq, no Python.
     */
    static final List<String> SESSION_TOOLS = List.of(
            "bash", "sh", "cat", "head", "tail", "cut", "tr", "grep", "sed", "sleep", "echo", "printf", "tee", "env",
            "kill", "timeout", "wc", "sort", "uniq", "date", "mktemp", "rm", "ls", "curl");

    private static final Pattern UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    @TempDir
    Path work;

    private Process pollster;

    @AfterEach
    void stopPollster() {
        if (pollster != null) {
            pollster.descendants().forEach(ProcessHandle::destroyForcibly);
            pollster.destroyForcibly();
        }
    }

    @Test
    void aFreshCloneRunsTheReadmeFromCreateToVoteToLiveResults() throws Exception {
        String readme = RepositoryFiles.read("README.md");
        assertThat(codeBlockAfter(readme, "**Test**"))
                .as("the README's test command is the one CI runs")
                .isEqualTo(TEST_COMMAND);
        assertThat(RepositoryFiles.read(".ci/run").lines()).contains(TEST_COMMAND);
        for (String property : List.of(
                "server.port",
                "pollster.embedded.data-dir",
                "pollster.embedded.postgres-port",
                "pollster.embedded.redis-port")) {
            assertThat(readme).as("the README documents %s", property).contains("| `" + property + "` |");
        }

        Path clone = work.resolve("pollster");
        run(work, List.of("git", "clone", "-q", RepositoryFiles.root().toString(), clone.toString()), 5);

        int port = freePort();
        String runCommand = codeBlockAfter(readme, "**Run**");
        assertThat(runCommand).contains("java -jar standalone/target/pollster.jar");
        Path log = work.resolve("pollster.log");
        pollster = new ProcessBuilder(
                        "bash",
                        "-c",
                        runCommand + " --server.port=" + port
                                + " --pollster.embedded.data-dir=" + work.resolve("data")
                                + " --pollster.embedded.postgres-port=0 --pollster.embedded.redis-port=0")
                .directory(clone.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        HttpClient http = HttpClient.newHttpClient();
        URI health = URI.create("http://localhost:" + port + "/actuator/health");
        await().atMost(20, MINUTES)
                .pollInterval(Duration.ofSeconds(2))
                .ignoreExceptionsInstanceOf(IOException.class)
                .untilAsserted(() -> {
                    assertThat(pollster.isAlive())
                            .as("pollster runs; see %s", log)
                            .isTrue();
                    HttpResponse<String> answer =
                            http.send(HttpRequest.newBuilder(health).build(), HttpResponse.BodyHandlers.ofString());
                    assertThat(answer.body()).contains("\"status\":\"UP\"");
                });

        String session = codeBlockAfter(readme, "## The API in one minute");
        assertThat(session).contains("localhost:8080").doesNotContain("uuidgen", "jq ");
        Path script = work.resolve("session.sh");
        Files.writeString(script, session.replace("localhost:8080", "localhost:" + port));
        Path output = work.resolve("session.out");
        Path bin = sessionPath();
        ProcessBuilder shell = new ProcessBuilder(bin.resolve("bash").toString(), script.toString())
                .directory(work.toFile())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile());
        shell.environment().put("PATH", bin.toString());
        Process walk = shell.start();
        boolean finished = walk.waitFor(5, MINUTES);
        String printed = Files.readString(output);
        if (!finished) {
            walk.descendants().forEach(ProcessHandle::destroyForcibly);
            walk.destroyForcibly();
        }
        assertThat(finished).as("the session ends; it printed:%n%s", printed).isTrue();
        assertThat(walk.exitValue()).as(printed).isZero();

        Matcher created = Pattern.compile("\\{\"poll_id\":\"(" + UUID + ")\",\"slug\":\"best-editor-[a-z0-9]+\"")
                .matcher(printed);
        assertThat(created.find()).as("the poll is created: %s", printed).isTrue();
        String pollId = created.group(1);
        assertThat(printed)
                .as("the vote is accepted")
                .containsPattern("\\{\"vote_id\":\"" + UUID + "\",\"status\":\"accepted\"} 202");
        assertThat(printed)
                .as("the results count the vote")
                .containsPattern("\\{\"poll_id\":\"" + pollId + "\",\"version\":1,\"closed\":false,\"total_votes\":1,")
                .contains("\"count\":1");
        assertThat(printed)
                .as("the live stream sent results")
                .containsPattern("event: ?results\\R+data: ?\\{\"type\":\"results\",\"poll_id\":\"" + pollId + "\"");

        // the README: "Stop it with Ctrl-C or SIGTERM"
        // bash runs the last command of its -c in its own process, or as a child
        ProcessHandle jar = Stream.concat(Stream.of(pollster.toHandle()), pollster.descendants())
                .filter(p -> p.info().command().orElse("").endsWith("/java")
                        && p.info().commandLine().orElse("").contains("standalone/target/pollster.jar"))
                .findFirst()
                .orElseThrow();
        jar.destroy();
        assertThat(jar.onExit().get(2, MINUTES).isAlive()).isFalse();
        assertThat(pollster.waitFor(1, MINUTES)).isTrue();
        assertThat(Files.readString(log)).as("a clean stop").doesNotContain("Exception in thread");
    }

    /**
     * Bash run with a PATH of only {@link #SESSION_TOOLS}: links to them in a directory of their own, so
     * that a README calling anything else fails with "command not found".
     */
    private Path sessionPath() throws IOException {
        Path bin = Files.createDirectories(work.resolve("bin"));
        for (String tool : SESSION_TOOLS) {
            Optional<Path> found = onPath(tool);
            if (found.isPresent()) {
                Files.createSymbolicLink(bin.resolve(tool), found.get());
            } else {
                assertThat(tool).as("%s is on a fresh Debian", tool).isNotIn("bash", "grep", "cut", "head", "curl");
            }
        }
        return bin;
    }

    private static Optional<Path> onPath(String tool) {
        for (String dir : System.getenv("PATH").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, tool);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** The first fenced code block after {@code marker}, without its fences and trailing newline. */
    private static String codeBlockAfter(String markdown, String marker) {
        int at = markdown.indexOf(marker);
        assertThat(at).as("README has %s", marker).isNotNegative();
        Matcher block = Pattern.compile("```\\w*\\n(.*?)```", Pattern.DOTALL).matcher(markdown);
        assertThat(block.find(at)).as("a code block after %s", marker).isTrue();
        return block.group(1).strip();
    }

    private static void run(Path dir, List<String> command, int minutes) throws Exception {
        Process process = new ProcessBuilder(new ArrayList<>(command))
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(minutes, MINUTES)).isTrue();
        assertThat(process.exitValue()).as("%s: %s", command, output).isZero();
    }

    private static int freePort() {
        return FreePorts.pick();
    }
}
