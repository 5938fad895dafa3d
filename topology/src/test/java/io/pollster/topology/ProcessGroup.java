package io.pollster.topology;

import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything a topology started, closed in reverse order of starting (the load balancer before the
 * services, the services before their databases), each by its own pid.
 */
public final class ProcessGroup implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ProcessGroup.class);

    private final Deque<AutoCloseable> started = new ArrayDeque<>();

    /** Registers {@code resource} to be closed with the group and returns it. */
    public synchronized <T extends AutoCloseable> T add(T resource) {
        started.push(resource);
        return resource;
    }

    @Override
    public synchronized void close() {
        while (!started.isEmpty()) {
            AutoCloseable next = started.pop();
            try {
                next.close();
            } catch (Exception e) {
                log.warn("Could not close {}", next, e);
            }
        }
    }
}
