package io.pollster.topology;

import java.nio.file.Path;
import java.util.Map;

/**
 * How a topology gets its Redis, and how the services are pointed at it: the one thing a plain-Redis
 * and a Redis Cluster topology do differently.
 */
public interface RedisDeployment extends AutoCloseable {

    /** Starts the Redis server(s) with their data under {@code dir}. */
    void start(Path dir, ComposeFile compose);

    /**
     * The environment of a service, given the one docker-compose.yml gives it (with the other
     * addresses already substituted): its Redis variables now reach this deployment.
     */
    Map<String, String> serviceEnvironment(Map<String, String> composeEnvironment);

    /** What the test log says about it, e.g. {@code redis-server 7.0.15 on 127.0.0.1:41234}. */
    String description();

    @Override
    void close();
}
