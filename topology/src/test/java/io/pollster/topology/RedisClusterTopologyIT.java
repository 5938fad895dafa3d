package io.pollster.topology;

/**
 * The topology of docker-compose.yml with docker-compose.cluster.yml over it, as {@code docker compose
 * -f docker-compose.yml -f docker-compose.cluster.yml} runs it: every service on a Redis Cluster of
 * separate redis-server processes, the same scenarios as on one Redis.
 */
class RedisClusterTopologyIT extends TopologyScenarios {

    private final ClusterRedis redis = new ClusterRedis();

    @Override
    protected RedisDeployment redis() {
        return redis;
    }

    @Override
    protected String name() {
        return "redis-cluster";
    }

    @Override
    protected Topology.Builder configure(Topology.Builder builder) {
        return builder.composeFiles("docker-compose.yml", "docker-compose.cluster.yml");
    }
}
