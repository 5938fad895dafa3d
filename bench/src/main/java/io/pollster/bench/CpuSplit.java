package io.pollster.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * The CPU the whole machine spent between two snapshots, and how it splits over the processes a vote
 * passes through, read from {@code /proc} (user + system time, clock ticks of 10 ms): this load generator,
 * the server JVM, redis-server, the PostgreSQL backends, the walsender that feeds the projector, the rest
 * of PostgreSQL (postmaster, WAL writer, checkpointer, autovacuum, and backends that exited meanwhile) and
 * everything else on the machine. Which PostgreSQL and Redis are ours is told by their ports (the
 * postmaster's {@code -p}, redis-server's process title {@code host:port}).
 */
final class CpuSplit {

    static final List<String> PARTS = List.of(
            "client", "server JVM", "Redis", "PostgreSQL backends", "walsender", "PostgreSQL other", "other processes");

    private static final long NANOS_PER_TICK = 10_000_000L;

    private final OptionalLong serverPid;
    private final int postgresPort;
    private final int redisPort;

    private CpuSplit(OptionalLong serverPid, int postgresPort, int redisPort) {
        this.serverPid = serverPid;
        this.postgresPort = postgresPort;
        this.redisPort = redisPort;
    }

    /** For the server the benchmark's arguments describe ({@code server-pid}, {@code jdbc}, {@code redis}). */
    static CpuSplit of(BenchArgs args) {
        OptionalLong pid = args.optional("server-pid")
                .map(p -> OptionalLong.of(Long.parseLong(p)))
                .orElse(OptionalLong.empty());
        String jdbc = args.string("jdbc", "jdbc:postgresql://localhost:18085/postgres");
        int postgresPort = URI.create(jdbc.substring("jdbc:".length())).getPort();
        int redisPort =
                URI.create(args.string("redis", "redis://localhost:18086")).getPort();
        return new CpuSplit(pid, postgresPort, redisPort);
    }

    /** CPU nanoseconds per part, and of the whole machine, at one moment. */
    record Snapshot(long machine, Map<String, Long> parts) {}

    Snapshot take() {
        Map<String, Long> parts = new LinkedHashMap<>();
        PARTS.forEach(part -> parts.put(part, 0L));
        parts.merge("client", ticks(ProcessHandle.current().pid(), false), Long::sum);
        serverPid.ifPresent(pid -> parts.merge("server JVM", ticks(pid, false), Long::sum));
        long postmaster = postmaster();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            procs.map(p -> p.getFileName().toString())
                    .filter(name -> name.chars().allMatch(Character::isDigit))
                    .mapToLong(Long::parseLong)
                    .forEach(pid -> {
                        String part = partOf(pid, postmaster);
                        if (part != null) {
                            parts.merge(part, ticks(pid, pid == postmaster), Long::sum);
                        }
                    });
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc", e);
        }
        long machine = machineTicks();
        long known = parts.values().stream().mapToLong(Long::longValue).sum();
        parts.put("other processes", machine - known);
        parts.replaceAll((part, ticks) -> ticks * NANOS_PER_TICK);
        return new Snapshot(machine * NANOS_PER_TICK, parts);
    }

    /** Prints the machine's CPU per vote between the snapshots and each part's share of it. */
    static void print(String label, Snapshot before, Snapshot after, long votes, double seconds) {
        print(label, before, after, votes, "vote", seconds);
    }

    /** Prints the machine's CPU per unit of work ({@code what}: vote, read) between the snapshots, split by part. */
    static void print(String label, Snapshot before, Snapshot after, long votes, String what, double seconds) {
        long machine = after.machine() - before.machine();
        StringBuilder split = new StringBuilder();
        for (String part : PARTS) {
            long nanos = after.parts().get(part) - before.parts().get(part);
            if (split.length() > 0) {
                split.append(", ");
            }
            split.append(String.format("%s %.3f", part, nanos / 1e6 / votes));
        }
        System.out.printf(
                "%s machine CPU %.3f ms per %s (%,d %ss, %.1f s, %.2f of %d cores busy); ms per %s: %s%n",
                label,
                machine / 1e6 / votes,
                what,
                votes,
                what,
                seconds,
                machine / 1e9 / seconds,
                Runtime.getRuntime().availableProcessors(),
                what,
                split);
    }

    private String partOf(long pid, long postmaster) {
        String comm = read("/proc/" + pid + "/comm").trim();
        if (comm.startsWith("redis-server")) {
            return cmdline(pid).contains(":" + redisPort) ? "Redis" : null;
        }
        if (postmaster < 0 || !comm.equals("postgres")) {
            return null;
        }
        if (pid == postmaster) {
            return "PostgreSQL other";
        }
        if (parent(pid) != postmaster) {
            return null;
        }
        String title = cmdline(pid);
        if (title.startsWith("postgres: walsender")) {
            return "walsender";
        }
        // a client backend's title names its user, database and client address: "postgres: user db host(port) state"
        return title.contains("(") ? "PostgreSQL backends" : "PostgreSQL other";
    }

    /** The postmaster listening on our port: a postgres process started with {@code -p <port>}, or -1. */
    private long postmaster() {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.map(p -> p.getFileName().toString())
                    .filter(name -> name.chars().allMatch(Character::isDigit))
                    .mapToLong(Long::parseLong)
                    .filter(pid -> read("/proc/" + pid + "/comm").trim().equals("postgres"))
                    .filter(pid -> cmdline(pid).contains(" -p " + postgresPort + " ")
                            || cmdline(pid).endsWith(" -p " + postgresPort))
                    .findFirst()
                    .orElse(-1);
        } catch (IOException e) {
            return -1;
        }
    }

    /** utime + stime of the process (with its reaped children's time, for the postmaster), in ticks. */
    private static long ticks(long pid, boolean withChildren) {
        String[] f = statFields(pid);
        if (f == null) {
            return 0;
        }
        // fields 14-17 of /proc/pid/stat: utime, stime, cutime, cstime
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        return withChildren ? ticks + Long.parseLong(f[13]) + Long.parseLong(f[14]) : ticks;
    }

    private static long parent(long pid) {
        String[] f = statFields(pid);
        return f == null ? -1 : Long.parseLong(f[1]);
    }

    /** The fields of /proc/pid/stat after the command name, from field 3 (state) on; null once it exited. */
    private static String[] statFields(long pid) {
        String stat = read("/proc/" + pid + "/stat");
        if (stat.isEmpty()) {
            return null;
        }
        return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    }

    /** Busy ticks of every core: the first line of /proc/stat less idle and iowait. */
    private static long machineTicks() {
        String[] f = read("/proc/stat").lines().findFirst().orElseThrow().trim().split("\\s+");
        // cpu user nice system idle iowait irq softirq steal (guest time is already in user)
        long busy = 0;
        for (int i = 1; i <= 8; i++) {
            if (i != 4 && i != 5) {
                busy += Long.parseLong(f[i]);
            }
        }
        return busy;
    }

    private static String cmdline(long pid) {
        return read("/proc/" + pid + "/cmdline").replace('\0', ' ').trim();
    }

    private static String read(String path) {
        try {
            return new String(Files.readAllBytes(Path.of(path)), StandardCharsets.UTF_8);
        } catch (IOException | SecurityException e) {
            // the process exited between listing and reading
            return "";
        }
    }
}
