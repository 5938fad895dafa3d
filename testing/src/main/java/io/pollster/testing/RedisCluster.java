package io.pollster.testing;

import static org.awaitility.Awaitility.await;

import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.pollster.embedded.FreePorts;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.RedisExecProvider;

/**
 * A real Redis Cluster of three masters (and, if asked, replicas of each), each a {@code redis-server}
 * process in cluster mode on free loopback ports with its append-only file and {@code nodes.conf} in its
 * own data directory.
 * The test assigns the slots itself ({@code CLUSTER ADDSLOTSRANGE}, {@code CLUSTER MEET}) and waits for
 * {@code cluster_state:ok} on every node.
 *
 * <p>The binary is the Redis 7.0 {@code redis-server} shipped in the embedded-redis jar the project
 * already uses (system property {@code pollster.test.redis-server} names another one). A master can be
 * killed with SIGKILL ({@link #kill}) and started again on its data directory ({@link #restart}): it comes
 * back with its node id, its slots and what its AOF holds.
 *
 * <p>{@code cluster-require-full-coverage no}: while one master is down, only the slots it owns are
 * unavailable, as an operator would configure a cluster that serves many polls.
 */
public final class RedisCluster implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisCluster.class);
    private static final int SLOTS = 16384;
    private static final Duration READY = Duration.ofSeconds(60);

    /** How a node runs unless told otherwise: a short node timeout, so a failover takes seconds. */
    private static final List<String> DEFAULT_ARGUMENTS = List.of(
            "--cluster-node-timeout",
            "2000",
            "--cluster-require-full-coverage",
            "no",
            "--appendonly",
            "yes",
            "--appendfsync",
            "always",
            "--repl-diskless-sync-delay",
            "0",
            "--save",
            "",
            "--protected-mode",
            "yes",
            "--maxclients",
            "10000");

    private final Path dataDir;
    private final File executable;
    private final List<String> serverArguments;
    private final List<Node> nodes = new ArrayList<>();

    private RedisCluster(Path dataDir, File executable, List<String> serverArguments) {
        this.dataDir = dataDir;
        this.executable = executable;
        this.serverArguments = List.copyOf(serverArguments);
    }

    /** Starts three masters under {@code dataDir} and forms the cluster. */
    public static RedisCluster start(Path dataDir) {
        return start(dataDir, 3, 0);
    }

    /**
     * Starts {@code masters} masters, each with {@code replicasPerMaster} replicas, under {@code dataDir}
     * and forms the cluster. With replicas, a killed master is replaced by one of its replicas after
     * the node timeout (2 s here).
     */
    public static RedisCluster start(Path dataDir, int masters, int replicasPerMaster) {
        return start(dataDir, masters, replicasPerMaster, executable(), DEFAULT_ARGUMENTS);
    }

    /**
     * Starts {@code masters} masters, each with {@code replicasPerMaster} replicas, under {@code dataDir},
     * every node running {@code executable} with {@code serverArguments} (e.g. the command of a compose
     * service, without the program) in place of this class's defaults, and forms the cluster. Only the
     * addresses stay this class's: each node's port, cluster bus port, loopback bind and data directory,
     * with cluster mode on and its {@code nodes.conf} there, given after the arguments so they win.
     */
    public static RedisCluster start(
            Path dataDir, int masters, int replicasPerMaster, File executable, List<String> serverArguments) {
        if (masters < 1 || replicasPerMaster < 0) {
            throw new IllegalArgumentException(
                    "a cluster needs a master and no negative replicas: " + masters + ", " + replicasPerMaster);
        }
        RedisCluster cluster = new RedisCluster(dataDir.toAbsolutePath().normalize(), executable, serverArguments);
        try {
            Runtime.getRuntime().addShutdownHook(new Thread(cluster::close, "redis-cluster-stop"));
            for (int i = 0; i < masters * (1 + replicasPerMaster); i++) {
                cluster.nodes.add(cluster.new Node(i, freePort(), freePort()));
            }
            cluster.nodes.forEach(Node::launch);
            cluster.form(masters);
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    /** Starts three masters in a fresh temporary directory. */
    public static RedisCluster start() {
        return start(0);
    }

    /** Starts three masters, each with {@code replicasPerMaster} replicas, in a fresh temporary directory. */
    public static RedisCluster start(int replicasPerMaster) {
        try {
            return start(Files.createTempDirectory("pollster-redis-cluster-"), 3, replicasPerMaster);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static File executable() {
        String configured = System.getProperty("pollster.test.redis-server");
        if (configured != null && !configured.isBlank()) {
            return new File(configured);
        }
        try {
            return RedisExecProvider.defaultProvider().get();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract redis-server from the embedded-redis jar", e);
        }
    }

    /** Nodes 0..masters-1 get the slots; the others replicate them in turn. */
    private void form(int masters) {
        Node first = nodes.get(0);
        int perNode = SLOTS / masters;
        for (int i = 0; i < nodes.size(); i++) {
            Node node = nodes.get(i);
            if (i < masters) {
                int from = i * perNode;
                int to = i == masters - 1 ? SLOTS - 1 : from + perNode - 1;
                node.run(redis -> redis.clusterAddSlotsRange(Range.create(from, to)));
            }
            if (node != first) {
                // MEET with the bus port: the nodes' bus ports are free ports, not port + 10000
                first.run(redis -> redis.dispatch(
                        CommandType.CLUSTER,
                        new StatusOutput<>(StringCodec.UTF8),
                        new CommandArgs<>(StringCodec.UTF8)
                                .add("MEET")
                                .add("127.0.0.1")
                                .add(node.port())
                                .add(node.busPort())));
            }
        }
        for (int i = masters; i < nodes.size(); i++) {
            Node replica = nodes.get(i);
            String masterId = nodes.get(i % masters).run(RedisCommands::clusterMyId);
            // a replica can follow its master only once it has heard of it through the cluster bus
            await("node " + i + " knows its master")
                    .atMost(READY)
                    .pollInterval(Duration.ofMillis(200))
                    .ignoreExceptions()
                    .until(() -> "OK".equals(replica.run(redis -> redis.clusterReplicate(masterId))));
        }
        for (int i = masters; i < nodes.size(); i++) {
            Node replica = nodes.get(i);
            // a replica that never synced refuses to take over from a failed master (its data is too old)
            await("node " + i + " in sync with its master")
                    .atMost(READY)
                    .pollInterval(Duration.ofMillis(200))
                    .ignoreExceptions()
                    .until(() -> replica.run(redis -> redis.info("replication")).contains("master_link_status:up"));
        }
        awaitHealthy();
        log.info("Redis Cluster of {} masters and {} replicas on {}", masters, nodes.size() - masters, nodesProperty());
    }

    /**
     * Waits until every running node knows every node, sees every slot served and reports
     * {@code cluster_state:ok}.
     */
    public void awaitHealthy() {
        await("Redis Cluster state ok on every node")
                .atMost(READY)
                .pollInterval(Duration.ofMillis(200))
                .ignoreExceptions()
                .until(() -> nodes.stream().filter(Node::isRunning).allMatch(node -> {
                    String info = node.run(RedisCommands::clusterInfo);
                    return info.contains("cluster_state:ok")
                            && info.contains("cluster_known_nodes:" + nodes.size())
                            && info.contains("cluster_slots_ok:" + SLOTS);
                }));
    }

    /**
     * Waits until every other running node flags {@code node} as failed ({@code fail}, not the
     * suspicion {@code fail?}): what the cluster agrees on once {@code node} has not answered for the
     * node timeout.
     */
    public void awaitFailed(Node node) {
        String address = "127.0.0.1:" + node.port() + "@";
        await("every other node flags node " + node.index + " as failed")
                .atMost(READY)
                .pollInterval(Duration.ofMillis(200))
                .ignoreExceptions()
                .until(() -> nodes.stream()
                        .filter(other -> other != node && other.isRunning())
                        .allMatch(other -> Stream.of(
                                        other.run(RedisCommands::clusterNodes).split("\n"))
                                .map(line -> line.trim().split(" "))
                                .anyMatch(fields -> fields.length > 2
                                        && fields[1].startsWith(address)
                                        && List.of(fields[2].split(",")).contains("fail"))));
    }

    /** Every node: the masters first, in slot order, then the replicas. */
    public List<Node> nodes() {
        return List.copyOf(nodes);
    }

    /** {@code host:port,…} of every node, the value of {@code spring.data.redis.cluster.nodes}. */
    public String nodesProperty() {
        return nodes.stream().map(node -> "127.0.0.1:" + node.port()).collect(Collectors.joining(","));
    }

    /** Redis URIs of every node, for a Lettuce {@code RedisClusterClient}. */
    public List<RedisURI> uris() {
        return nodes.stream().map(Node::uri).toList();
    }

    /** The master that owns the slot of {@code key} (hash tags apply) now, as a running node sees it. */
    public Node masterOf(String key) {
        int slot = SlotHash.getSlot(key);
        Node running = nodes.stream()
                .filter(Node::isRunning)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no node of the cluster runs"));
        String table = running.run(RedisCommands::clusterNodes);
        for (String line : table.split("\n")) {
            String[] fields = line.trim().split(" ");
            if (fields.length < 9 || !fields[2].contains("master") || fields[2].contains("fail")) {
                continue;
            }
            for (int i = 8; i < fields.length; i++) {
                String[] range = fields[i].split("-");
                if (range[0].startsWith("[")) {
                    continue; // a slot being migrated
                }
                int from = Integer.parseInt(range[0]);
                int to = range.length > 1 ? Integer.parseInt(range[1]) : from;
                if (from <= slot && slot <= to) {
                    int port = Integer.parseInt(
                            fields[1].substring(fields[1].lastIndexOf(':') + 1).split("@")[0]);
                    return nodes.stream()
                            .filter(node -> node.port() == port)
                            .findFirst()
                            .orElseThrow();
                }
            }
        }
        throw new IllegalStateException("no master owns slot " + slot + ":\n" + table);
    }

    /** Kills every node and deletes the data directory; also done when the JVM exits. */
    @Override
    public synchronized void close() {
        nodes.forEach(Node::kill);
        try (Stream<Path> files = Files.exists(dataDir) ? Files.walk(dataDir) : Stream.empty()) {
            files.sorted(Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            log.warn("Could not delete {}", dataDir, e);
        }
    }

    private static int freePort() {
        return FreePorts.pick();
    }

    /** One node: its ports, its data directory and, while it runs, its process. */
    public final class Node {

        private final int index;
        private final int port;
        private final int busPort;
        private final Path dir;
        private volatile Process process;

        private Node(int index, int port, int busPort) {
            this.index = index;
            this.port = port;
            this.busPort = busPort;
            this.dir = dataDir.resolve("node-" + index);
        }

        public int port() {
            return port;
        }

        public int busPort() {
            return busPort;
        }

        public Path dataDir() {
            return dir;
        }

        public RedisURI uri() {
            return RedisURI.create("127.0.0.1", port);
        }

        /** The pid of the running redis-server. */
        public long pid() {
            Process running = process;
            if (running == null || !running.isAlive()) {
                throw new IllegalStateException("node " + index + " is not running");
            }
            return running.pid();
        }

        public boolean isRunning() {
            Process running = process;
            return running != null && running.isAlive();
        }

        /** SIGKILL: no shutdown, no final AOF flush beyond what the kernel already has. */
        public synchronized void kill() {
            Process running = process;
            if (running == null) {
                return;
            }
            ProcessHandle.of(running.pid()).ifPresent(ProcessHandle::destroyForcibly);
            running.destroyForcibly();
            try {
                running.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process = null;
            log.info("Killed Redis Cluster node {} (port {}) with SIGKILL", index, port);
        }

        /** Starts the node again on its data directory and waits for the whole cluster to be ok. */
        public void restart() {
            launch();
            awaitHealthy();
        }

        /** Runs a command on this node alone. */
        public <T> T run(Function<RedisCommands<String, String>, T> command) {
            RedisClient client = RedisClient.create(uri());
            try (StatefulRedisConnection<String, String> connection = client.connect()) {
                return command.apply(connection.sync());
            } finally {
                client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            }
        }

        private synchronized void launch() {
            if (isRunning()) {
                return;
            }
            try {
                Files.createDirectories(dir);
                List<String> command = new ArrayList<>();
                command.add(executable.getAbsolutePath());
                command.addAll(serverArguments);
                command.addAll(List.of(
                        "--cluster-enabled",
                        "yes",
                        "--cluster-config-file",
                        "nodes.conf",
                        "--port",
                        Integer.toString(port),
                        "--cluster-port",
                        Integer.toString(busPort),
                        "--bind",
                        "127.0.0.1",
                        "--dir",
                        dir.toString(),
                        "--daemonize",
                        "no"));
                process = new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(
                                dataDir.resolve("node-" + index + ".log").toFile()))
                        .start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start redis-server for cluster node " + index, e);
            }
            await("Redis Cluster node " + index + " on port " + port)
                    .atMost(READY)
                    .pollInterval(Duration.ofMillis(100))
                    .ignoreExceptions()
                    .failFast(
                            "redis-server of node " + index + " exited, see "
                                    + dataDir.resolve("node-" + index + ".log"),
                            () -> !process.isAlive())
                    .until(() -> "PONG".equals(run(RedisCommands::ping)));
        }
    }
}
