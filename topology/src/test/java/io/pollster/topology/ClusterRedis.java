package io.pollster.topology;

import io.pollster.embedded.FreePorts;
import io.pollster.testing.RedisCluster;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A Redis Cluster as docker-compose.cluster.yml deploys it, without Docker: one {@code redis-server}
 * process (Debian's, or {@code pollster.topology.redis-server}) per node the services'
 * {@code SPRING_DATA_REDIS_CLUSTER_NODES} names, each run with the command of its compose service, as
 * many replicas as the compose job that forms the cluster asks for ({@code --cluster-replicas}), and the
 * slots split evenly over the masters as {@code redis-cli --cluster create} splits them.
 *
 * <p>The services' node list becomes the nodes' loopback addresses. The single-Redis URL
 * docker-compose.yml still sets is pointed at a port where nothing listens: the cluster's node list must
 * win over it (README, "Redis Cluster"), and a service that used the URL instead would fail.
 */
public final class ClusterRedis implements RedisDeployment {

    static final String NODES_VARIABLE = "SPRING_DATA_REDIS_CLUSTER_NODES";
    private static final String SINGLE_REDIS_ADDRESS = "redis:6379";
    private static final Pattern REPLICAS = Pattern.compile("--cluster-replicas\\s+(\\d+)");

    /** A free port nobody is given: where the single-Redis URL of docker-compose.yml now points. */
    private final int nowhere = FreePorts.pick();

    private List<String> composeNodes;
    private List<String> arguments;
    private int replicas;
    private RedisCluster cluster;

    @Override
    public void start(Path dir, ComposeFile compose) {
        String nodes = compose.environment(Topology.WRITE_API).get(NODES_VARIABLE);
        if (nodes == null || nodes.isBlank()) {
            throw new IllegalStateException("the compose files give write-api no " + NODES_VARIABLE
                    + ": read docker-compose.cluster.yml after docker-compose.yml");
        }
        composeNodes = Stream.of(nodes.split(",")).map(String::trim).toList();
        List<String> command = null;
        for (String node : composeNodes) {
            String service = node.substring(0, node.lastIndexOf(':'));
            List<String> nodeCommand = compose.command(service);
            if (nodeCommand.isEmpty() || !nodeCommand.get(0).equals("redis-server")) {
                throw new IllegalStateException("the compose service " + service + " runs " + nodeCommand);
            }
            if (command != null && !command.equals(nodeCommand)) {
                throw new IllegalStateException("the cluster's nodes run different commands: " + command + " and "
                        + nodeCommand + " (" + service + ")");
            }
            command = nodeCommand;
        }
        arguments = command.subList(1, command.size());
        replicas = replicasOfClusterCreate(compose);
        if (composeNodes.size() % (1 + replicas) != 0) {
            throw new IllegalStateException(composeNodes.size() + " nodes cannot each have " + replicas + " replicas");
        }
        cluster = RedisCluster.start(
                dir,
                composeNodes.size() / (1 + replicas),
                replicas,
                redisServer().toFile(),
                arguments);
    }

    /** {@code --cluster-replicas N} of the compose service that runs {@code redis-cli --cluster create}. */
    private static int replicasOfClusterCreate(ComposeFile compose) {
        for (String service : compose.services()) {
            String entrypoint = String.join(" ", compose.entrypoint(service));
            if (entrypoint.contains("--cluster create")) {
                Matcher replicas = REPLICAS.matcher(entrypoint);
                return replicas.find() ? Integer.parseInt(replicas.group(1)) : 0;
            }
        }
        throw new IllegalStateException("no compose service forms the cluster (redis-cli --cluster create)");
    }

    private static Path redisServer() {
        String configured = System.getProperty("pollster.topology.redis-server");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath();
        }
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .map(dir -> Path.of(dir, "redis-server"))
                .filter(Files::isExecutable)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException(
                        "no redis-server on the PATH (Debian: apt-get install redis-server)"));
    }

    @Override
    public Map<String, String> serviceEnvironment(Map<String, String> composeEnvironment) {
        Map<String, String> environment = new LinkedHashMap<>(composeEnvironment);
        String nodes = environment.get(NODES_VARIABLE);
        if (nodes != null) {
            List<String> addresses = new ArrayList<>();
            for (String node : nodes.split(",")) {
                int index = composeNodes.indexOf(node.trim());
                if (index < 0) {
                    throw new IllegalStateException(node + " of " + NODES_VARIABLE + " is no node of the cluster");
                }
                addresses.add("127.0.0.1:" + cluster.nodes().get(index).port());
            }
            environment.put(NODES_VARIABLE, String.join(",", addresses));
        }
        return ComposeFile.substitute(environment, Map.of(SINGLE_REDIS_ADDRESS, "127.0.0.1:" + nowhere));
    }

    /** The running cluster: its nodes, which master owns a key, SIGKILL and restart of a node. */
    public RedisCluster cluster() {
        return cluster;
    }

    @Override
    public String description() {
        int masters = composeNodes.size() / (1 + replicas);
        return "Redis Cluster of " + masters + " masters with " + replicas + " replicas each on "
                + cluster.nodes().stream()
                        .map(node -> "127.0.0.1:" + node.port())
                        .collect(Collectors.joining(","))
                + " (redis-server " + String.join(" ", arguments) + ")";
    }

    @Override
    public void close() {
        if (cluster != null) {
            cluster.close();
        }
    }
}
