package io.pollster.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** Whether a process that is not our child still runs, and which PostgreSQL runs on a data directory. */
final class Processes {

    private static final Path PROC = Path.of("/proc");

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

    /**
     * True if {@code pid} runs PostgreSQL on {@code dataDir}. A postmaster and each of its backends make
     * the data directory their working directory, so that identifies them whatever a pid file says: a
     * pid reused by another process after a SIGKILL (pids wrap around within minutes on a busy machine)
     * is not taken for our postmaster, and another PostgreSQL on the machine is never stopped as an
     * orphan of ours. Where {@code /proc} cannot tell the working directory, a running process whose
     * command names postgres counts.
     */
    static boolean isPostgresOn(long pid, Path dataDir) {
        if (!isRunning(pid) || !command(pid).contains("postgres")) {
            return false;
        }
        Optional<Path> cwd = workingDirectory(pid);
        return cwd.isEmpty() || cwd.get().equals(realPath(dataDir));
    }

    /**
     * The postmasters running on {@code dataDir}, whatever its pid file says (a postmaster that lost its
     * pid file, or started by a dying process while the file named another): the processes working in
     * that directory whose parent does not. Empty where {@code /proc} cannot be read.
     */
    static List<Long> postmastersOn(Path dataDir) {
        Path target = realPath(dataDir);
        List<Long> postmasters = new ArrayList<>();
        try (Stream<Path> entries = Files.list(PROC)) {
            entries.map(entry -> entry.getFileName().toString())
                    .filter(name -> !name.isEmpty() && name.chars().allMatch(Character::isDigit))
                    .map(Long::parseLong)
                    .filter(pid -> workingDirectory(pid).filter(target::equals).isPresent())
                    .filter(pid -> isPostgresOn(pid, dataDir))
                    .filter(pid -> ProcessHandle.of(pid)
                            .flatMap(ProcessHandle::parent)
                            .map(parent -> workingDirectory(parent.pid())
                                    .filter(target::equals)
                                    .isEmpty())
                            .orElse(true))
                    .forEach(postmasters::add);
        } catch (IOException | RuntimeException noProcFs) {
            return List.of();
        }
        return postmasters;
    }

    private static Optional<Path> workingDirectory(long pid) {
        try {
            return Optional.of(PROC.resolve(Long.toString(pid)).resolve("cwd").toRealPath());
        } catch (IOException | RuntimeException gone) {
            return Optional.empty();
        }
    }

    private static Path realPath(Path path) {
        try {
            return path.toRealPath();
        } catch (IOException notThere) {
            return path.toAbsolutePath().normalize();
        }
    }

    private static boolean isZombie(long pid) {
        Path stat = PROC.resolve(Long.toString(pid)).resolve("stat");
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
