package io.pollster.topology;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One OS process the topology started: its pid, its log, and the two ways it may end. {@link
 * #kill()} is a real crash (SIGKILL, nothing flushed, no shutdown hook); {@link #stop()} asks first
 * (SIGTERM) and kills only a process that does not go.
 */
public final class ManagedProcess implements AutoCloseable {

    private final String name;
    private final ProcessHandle handle;
    private final Path log;

    ManagedProcess(String name, ProcessHandle handle, Path log) {
        this.name = name;
        this.handle = handle;
        this.log = log;
    }

    /** Starts {@code command} with its output (stdout and stderr) appended to {@code log}. */
    static ManagedProcess start(String name, ProcessBuilder command, Path log) {
        try {
            Files.createDirectories(log.getParent());
            command.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            return new ManagedProcess(name, command.start().toHandle(), log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + command.command(), e);
        }
    }

    public String name() {
        return name;
    }

    public long pid() {
        return handle.pid();
    }

    public boolean isAlive() {
        return handle.isAlive();
    }

    public Path log() {
        return log;
    }

    /** SIGKILL by pid, then waits until the process is gone. */
    public void kill() {
        handle.destroyForcibly();
        awaitExit(Duration.ofSeconds(30));
    }

    /** SIGTERM, and SIGKILL if it has not exited within {@code grace}. */
    public void stop(Duration grace) {
        if (!handle.isAlive()) {
            return;
        }
        handle.destroy();
        if (!awaitExit(grace)) {
            kill();
        }
    }

    public void stop() {
        stop(Duration.ofSeconds(20));
    }

    @Override
    public void close() {
        stop();
    }

    private boolean awaitExit(Duration timeout) {
        try {
            handle.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !handle.isAlive();
        } catch (java.util.concurrent.ExecutionException e) {
            return !handle.isAlive();
        }
    }

    /** The last lines of the log, for a failure message. */
    public String logTail(int lines) {
        try {
            if (!Files.exists(log)) {
                return "(no log)";
            }
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + pid() + ")";
    }
}
