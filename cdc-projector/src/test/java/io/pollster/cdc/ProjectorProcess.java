package io.pollster.cdc;

import io.pollster.testing.TestServers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A cdc-projector in a JVM of its own, so a test can kill it with SIGKILL: no shutdown hook, no offset
 * flush, no slot release but the one PostgreSQL does when the connection drops.
 */
final class ProjectorProcess implements AutoCloseable {

    private final Process process;
    private final Path log;

    private ProjectorProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    static ProjectorProcess start(String name, String slotName) {
        TestServers servers = TestServers.get();
        try {
            Path log = Files.createTempFile("cdc-projector-" + name + "-", ".log");
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-XX:TieredStopAtLevel=1",
                    "-Xmx384m",
                    "-cp",
                    System.getProperty("java.class.path"),
                    CdcProjectorApplication.class.getName(),
                    "--spring.datasource.url=" + servers.jdbcUrl(),
                    "--spring.datasource.username=" + servers.username(),
                    "--spring.datasource.password=" + servers.password(),
                    "--spring.data.redis.url=" + servers.redisUrl(),
                    "--spring.flyway.enabled=false",
                    "--pollster.embedded.enabled=false",
                    "--server.port=0",
                    "--spring.main.banner-mode=off",
                    "--pollster.cdc.slot-name=" + slotName,
                    "--pollster.cdc.standby-poll-interval=300ms"));
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            return new ProjectorProcess(process, log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether this projector has taken the slot and streams from it. */
    boolean streaming() {
        return logContains("CDC engine streaming from slot");
    }

    /** Whether this projector found the slot taken and waits for it. */
    boolean standingBy() {
        return logContains("standing by");
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL: the projector stops wherever it is, mid-batch included. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return e.toString();
        }
    }

    private boolean logContains(String text) {
        try {
            return Files.readString(log).contains(text);
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
