package io.pollster.topology;

/** The topology of docker-compose.yml on one redis-server, as compose runs it. */
class PlainRedisTopologyIT extends TopologyScenarios {

    @Override
    protected RedisDeployment redis() {
        return new PlainRedis();
    }

    @Override
    protected String name() {
        return "plain-redis";
    }
}
