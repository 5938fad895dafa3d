package io.pollster.bench;

import io.pollster.topology.Identity;
import io.pollster.topology.LoadBalancer;
import io.pollster.topology.PollsterClient;
import io.pollster.topology.PollsterClient.Poll;
import io.pollster.topology.ServiceInstance;
import io.pollster.topology.Topology;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a second write-api instance buys: accepted votes per second and latency through the shipped
 * {@code deploy/nginx.conf} in front of one write-api, then in front of two, in one run on one deployed
 * topology (the {@code topology} module's harness: Debian's PostgreSQL and redis-server, every service
 * from its own {@code -exec.jar} as its own JVM with the environment of docker-compose.yml, the projector,
 * a gateway and jobs in processes of their own). Both load balancers run the same shipped file; the first
 * lists only the first write-api. The vote path is the deployed one: bearer tokens (jwt identity, as
 * compose configures it), the Lua script, the ingester into PostgreSQL, the projector behind it.
 *
 * <p>Both instances are warmed up first through the two-instance load balancer, so neither phase measures
 * a cold JIT. After each phase the benchmark waits until PostgreSQL holds every accepted vote.
 *
 * <p>Arguments ({@link BenchArgs}): {@code seconds} measured per phase (20), {@code warmup} seconds before
 * the phases (20) and before each phase (5), {@code concurrency} connections (32), {@code rounds} of the
 * two phases, alternated (2), {@code drain} longest wait in seconds for the ingester to catch up after a
 * phase (180). Per phase it prints votes/s, p50 and p99 (request to 202), the write-apis' CPU per vote,
 * that of every process of the topology, and how busy the whole machine was (other work included).
 */
public final class ScaleOutBenchmark {

    private static final int QUESTIONS = 3;
    private static final int CHOICES = 4;

    private final BenchArgs args;
    private final Topology topology;
    private final Identity.Jwt identity;

    private ScaleOutBenchmark(BenchArgs args, Topology topology) {
        this.args = args;
        this.topology = topology;
        if (!(Identity.of(topology.environment(Topology.WRITE_API)) instanceof Identity.Jwt jwt)) {
            throw new IllegalStateException("docker-compose.yml no longer runs the services in jwt mode");
        }
        this.identity = jwt;
    }

    public static void main(String[] argv) throws Exception {
        BenchArgs args = BenchArgs.parse(argv);
        System.out.printf(
                "Scale-out benchmark: starting the topology (%d cores, load average %s)%n",
                Runtime.getRuntime().availableProcessors(), loadAverage());
        try (Topology topology = Topology.builder()
                .name("scale-out")
                .instances(Topology.WRITE_API, 2)
                .instances(Topology.LIVE_GATEWAY, 1)
                .instances(Topology.CDC_PROJECTOR, 1)
                .instances(Topology.JOBS, 1)
                .start()) {
            new ScaleOutBenchmark(args, topology).run();
        }
        System.exit(0);
    }

    private void run() throws Exception {
        int seconds = args.integer("seconds", 20);
        int warmup = args.integer("warmup", 20);
        int concurrency = args.integer("concurrency", 32);
        int rounds = args.integer("rounds", 2);
        List<ServiceInstance> apis = topology.instances(Topology.WRITE_API);
        LoadBalancer two = topology.loadBalancer();
        LoadBalancer one = oneInstanceLoadBalancer(apis.get(0));
        try {
            PollsterClient client = new PollsterClient(two, identity);
            System.out.printf(
                    "nginx on deploy/nginx.conf: port %d in front of %s, port %d in front of %s alone%n",
                    two.port(), apis, one.port(), apis.get(0));
            System.out.printf(
                    "%d connections, %d s warm-up through both, then per phase 5 s warm-up + %d s measured%n",
                    concurrency, warmup, seconds);

            drive(client, two, concurrency, warmup, 0, List.of());
            System.out.printf("warmed up; load average %s%n", loadAverage());

            // alternated, so a change in what else the machine runs weighs on both alike
            List<Phase> singles = new ArrayList<>();
            List<Phase> boths = new ArrayList<>();
            for (int round = 1; round <= rounds; round++) {
                Phase single = drive(client, one, concurrency, 5, seconds, apis);
                single.print("1 write-api  #" + round);
                singles.add(single);
                Phase both = drive(client, two, concurrency, 5, seconds, apis);
                both.print("2 write-apis #" + round);
                boths.add(both);
            }
            Phase single = Phase.combine(singles);
            Phase both = Phase.combine(boths);
            single.print("1 write-api  all");
            both.print("2 write-apis all");
            System.out.printf(
                    "summary: 2 write-apis accept x%.2f the votes/s of 1 (p99 %.1f → %.1f ms) on %d cores,"
                            + " load average at the end %s%n",
                    both.votesPerSecond() / single.votesPerSecond(),
                    single.p99(),
                    both.p99(),
                    Runtime.getRuntime().availableProcessors(),
                    loadAverage());
        } finally {
            one.close();
        }
    }

    /** A second nginx on the shipped file whose write-api upstream is the first instance alone. */
    private LoadBalancer oneInstanceLoadBalancer(ServiceInstance api) {
        Map<String, List<String>> upstreams = new LinkedHashMap<>();
        for (String service : List.of(Topology.WRITE_API, Topology.LIVE_GATEWAY, Topology.JOBS)) {
            List<String> addresses = service.equals(Topology.WRITE_API)
                    ? List.of(api.address())
                    : topology.instances(service).stream()
                            .map(ServiceInstance::address)
                            .toList();
            upstreams.put(service + ":" + topology.compose().containerPort(service), addresses);
        }
        return LoadBalancer.start(
                topology.root().resolve("deploy/nginx.conf"),
                upstreams,
                topology.dir().resolve("nginx-one"));
    }

    /**
     * Votes of distinct users on a new poll through {@code lb} as fast as {@code concurrency} connections
     * go; {@code seconds} of them measured after {@code warmup}, then waits until PostgreSQL has them all.
     */
    private Phase drive(
            PollsterClient client,
            LoadBalancer lb,
            int concurrency,
            int warmup,
            int seconds,
            List<ServiceInstance> measured)
            throws Exception {
        List<List<String>> questions = new ArrayList<>();
        for (int q = 0; q < QUESTIONS; q++) {
            List<String> choices = new ArrayList<>();
            for (int c = 0; c < CHOICES; c++) {
                choices.add("choice " + c);
            }
            questions.add(choices);
        }
        Poll poll = client.createPoll(UUID.randomUUID(), "Scale-out benchmark", questions);
        String path = "/api/polls/" + poll.id() + "/votes";
        List<String> questionIds = List.copyOf(poll.choicesByQuestion().keySet());

        long start = System.nanoTime();
        long windowStart = start + warmup * 1_000_000_000L;
        long end = windowStart + seconds * 1_000_000_000L;
        AtomicLong accepted = new AtomicLong();
        AtomicLong windowAccepted = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        List<long[]> latencies = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < concurrency; t++) {
            long[] mine = new long[1_000_000 / concurrency];
            latencies.add(mine);
            Thread thread = new Thread(() -> {
                int recorded = 0;
                try (KeepAliveHttp http = new KeepAliveHttp(lb.http("/"))) {
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    for (long sent = System.nanoTime(); sent < end; sent = System.nanoTime()) {
                        // each vote a new user, as a crowd votes: its token is minted here, on the client's CPU
                        String token = identity.token(UUID.randomUUID());
                        byte[] body = body(poll, questionIds, random);
                        sent = System.nanoTime();
                        int status;
                        try {
                            status = http.postWithToken(path, token, body);
                        } catch (IOException e) {
                            errors.incrementAndGet();
                            continue;
                        }
                        long done = System.nanoTime();
                        if (status != 202) {
                            refused.incrementAndGet();
                            continue;
                        }
                        accepted.incrementAndGet();
                        if (sent >= windowStart && done <= end) {
                            windowAccepted.incrementAndGet();
                            if (recorded < mine.length) {
                                mine[recorded++] = done - sent;
                            }
                        }
                    }
                }
                if (recorded < mine.length) {
                    mine[recorded] = -1;
                }
            });
            threads.add(thread);
            thread.start();
        }
        while (System.nanoTime() < windowStart) {
            Thread.sleep(10);
        }
        long[] cpuAtStart = cpu(measured);
        long pollsterAtStart = pollsterCpuNanos();
        long machineAtStart = machineBusyNanos();
        while (System.nanoTime() < end) {
            Thread.sleep(10);
        }
        long[] cpuAtEnd = cpu(measured);
        long pollsterAtEnd = pollsterCpuNanos();
        long machineAtEnd = machineBusyNanos();
        for (Thread thread : threads) {
            thread.join();
        }

        long drainStart = System.nanoTime();
        long drainLimit = args.integer("drain", 180) * 1_000_000_000L;
        long expectedRows = accepted.get() * QUESTIONS;
        while (responses(poll.id()) < expectedRows && System.nanoTime() - drainStart < drainLimit) {
            Thread.sleep(100);
        }
        long rows = responses(poll.id());
        long[] sorted = latencies.stream()
                .flatMapToLong(a -> Arrays.stream(a).takeWhile(v -> v > 0))
                .sorted()
                .toArray();
        long[] cpuNanos = new long[measured.size()];
        for (int i = 0; i < measured.size(); i++) {
            cpuNanos[i] = cpuAtEnd[i] - cpuAtStart[i];
        }
        return new Phase(
                measured,
                seconds,
                windowAccepted.get(),
                refused.get(),
                errors.get(),
                sorted,
                cpuNanos,
                pollsterAtEnd - pollsterAtStart,
                machineAtEnd - machineAtStart,
                accepted.get(),
                rows / QUESTIONS,
                (System.nanoTime() - drainStart) / 1e9);
    }

    private static byte[] body(Poll poll, List<String> questionIds, ThreadLocalRandom random) {
        StringBuilder json = new StringBuilder(320).append("{\"answers\":[");
        for (int q = 0; q < questionIds.size(); q++) {
            List<String> choices = poll.choicesByQuestion().get(questionIds.get(q));
            json.append(q > 0 ? "," : "")
                    .append("{\"question_id\":\"")
                    .append(questionIds.get(q))
                    .append("\",\"choice_id\":\"")
                    .append(choices.get(random.nextInt(choices.size())))
                    .append("\"}");
        }
        return json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    /** What one measured phase saw. */
    private record Phase(
            List<ServiceInstance> apis,
            int seconds,
            long windowAccepted,
            long refused,
            long errors,
            long[] sortedNanos,
            long[] apiCpuNanos,
            long pollsterCpuNanos,
            long machineCpuNanos,
            long accepted,
            long inPostgres,
            double drainSeconds) {

        /** The phases as one: their votes, seconds and CPU added up, their latencies merged. */
        static Phase combine(List<Phase> phases) {
            Phase first = phases.get(0);
            long[] apiCpu = new long[first.apiCpuNanos.length];
            int seconds = 0;
            long windowAccepted = 0;
            long refused = 0;
            long errors = 0;
            long pollster = 0;
            long machine = 0;
            long accepted = 0;
            long inPostgres = 0;
            double drain = 0;
            for (Phase phase : phases) {
                seconds += phase.seconds;
                windowAccepted += phase.windowAccepted;
                refused += phase.refused;
                errors += phase.errors;
                pollster += phase.pollsterCpuNanos;
                machine += phase.machineCpuNanos;
                accepted += phase.accepted;
                inPostgres += phase.inPostgres;
                drain = Math.max(drain, phase.drainSeconds);
                for (int i = 0; i < apiCpu.length; i++) {
                    apiCpu[i] += phase.apiCpuNanos[i];
                }
            }
            long[] sorted = phases.stream()
                    .flatMapToLong(phase -> Arrays.stream(phase.sortedNanos))
                    .sorted()
                    .toArray();
            return new Phase(
                    first.apis,
                    seconds,
                    windowAccepted,
                    refused,
                    errors,
                    sorted,
                    apiCpu,
                    pollster,
                    machine,
                    accepted,
                    inPostgres,
                    drain);
        }

        double votesPerSecond() {
            return windowAccepted / (double) seconds;
        }

        double p50() {
            return percentile(0.50);
        }

        double p99() {
            return percentile(0.99);
        }

        private double percentile(double p) {
            if (sortedNanos.length == 0) {
                return Double.NaN;
            }
            return sortedNanos[(int) Math.min(sortedNanos.length - 1, Math.floor(p * sortedNanos.length))] / 1e6;
        }

        void print(String name) {
            StringBuilder perApi = new StringBuilder();
            long apiTotal = 0;
            for (int i = 0; i < apis.size(); i++) {
                apiTotal += apiCpuNanos[i];
                perApi.append(String.format(" %s %.2f cores", apis.get(i).name(), apiCpuNanos[i] / 1e9 / seconds));
            }
            System.out.printf(
                    "%-17s accepted %,8.0f votes/s  p50 %6.2f ms  p99 %6.2f ms  (%d refused, %d errors)%n",
                    name, votesPerSecond(), p50(), p99(), refused, errors);
            System.out.printf(
                    "%-17s CPU per accepted vote: write-api %.3f ms (%s); every Pollster process %.3f ms"
                            + " (%.2f cores); whole machine %.2f cores busy, others' work included%n",
                    name,
                    apiTotal / 1e6 / windowAccepted,
                    perApi.toString().trim(),
                    pollsterCpuNanos / 1e6 / windowAccepted,
                    pollsterCpuNanos / 1e9 / seconds,
                    machineCpuNanos / 1e9 / seconds);
            System.out.printf(
                    "%-17s %,d of %,d accepted votes in PostgreSQL %.1f s after the load%n",
                    name, inPostgres, accepted, drainSeconds);
        }
    }

    private long responses(String pollId) throws Exception {
        try (Connection connection = topology.postgres().connect();
                PreparedStatement query =
                        connection.prepareStatement("SELECT count(*) FROM responses WHERE poll_id = ?::uuid")) {
            query.setString(1, pollId);
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    /** User + system CPU of each instance's JVM, in nanoseconds. */
    private static long[] cpu(List<ServiceInstance> instances) throws IOException {
        long[] nanos = new long[instances.size()];
        for (int i = 0; i < instances.size(); i++) {
            String stat = Files.readString(
                    Path.of("/proc/" + instances.get(i).process().pid() + "/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // utime and stime (fields 14 and 15 of /proc/pid/stat), in clock ticks of 10 ms
            nanos[i] = (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10_000_000L;
        }
        return nanos;
    }

    /**
     * CPU of every process this benchmark started (its descendants: the services' JVMs, PostgreSQL and its
     * backends, Redis, nginx and its workers, the S3 server), children they reaped included; not the
     * load generator's own.
     */
    private static long pollsterCpuNanos() {
        return ProcessHandle.current()
                .descendants()
                .mapToLong(process -> {
                    try {
                        String stat = Files.readString(Path.of("/proc/" + process.pid() + "/stat"));
                        String[] fields =
                                stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                        // utime, stime, cutime, cstime: fields 14 to 17 of /proc/pid/stat, in ticks of 10 ms
                        return (Long.parseLong(fields[11])
                                        + Long.parseLong(fields[12])
                                        + Long.parseLong(fields[13])
                                        + Long.parseLong(fields[14]))
                                * 10_000_000L;
                    } catch (IOException | RuntimeException gone) {
                        return 0; // it exited meanwhile
                    }
                })
                .sum();
    }

    /** CPU time every core spent busy (not idle, not waiting for I/O) since boot, in nanoseconds. */
    private static long machineBusyNanos() throws IOException {
        String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long busy = 0;
        for (int i = 1; i < cpu.length && i <= 8; i++) {
            if (i != 4 && i != 5) { // idle, iowait
                busy += Long.parseLong(cpu[i]);
            }
        }
        return busy * 10_000_000L;
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
