package io.pollster.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Whether a process that is not our child still runs. */
final class Processes {

    private Processes() {}

    /**
     * True while {@code pid} runs. A process that died but was never reaped (a zombie: its parent died
     * first and the container's init does not reap) counts as dead, although {@link ProcessHandle}
     * reports it alive: it holds no socket, memory or file any more, only its pid.
     */
    static boolean isRunning(long pid) {
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        if (process.isEmpty() || !process.get().isAlive()) {
            return false;
        }
        return !isZombie(pid);
    }

    /** The command of a running process, empty if unknown. */
    static String command(long pid) {
        return ProcessHandle.of(pid).flatMap(handle -> handle.info().command()).orElse("");
    }

    private static boolean isZombie(long pid) {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        try {
            String line = Files.readString(stat);
            // "pid (command) state ...": the command may contain spaces and parentheses
            int end = line.lastIndexOf(')');
            return end > 0 && end + 2 < line.length() && line.charAt(end + 2) == 'Z';
        } catch (IOException | RuntimeException noProcFs) {
            return false;
        }
    }
}
