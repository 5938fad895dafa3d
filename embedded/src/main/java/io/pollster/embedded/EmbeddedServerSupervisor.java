package io.pollster.embedded;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the embedded servers of a running process and restarts one that dies (SIGKILL, the OOM
 * killer), on its data directory and port, with backoff. A server that cannot be restarted after
 * {@code maxRestarts} tries is given up on: the {@link EmbeddedServerListener} decides what the process does (the
 * standalone jar reports liveness DOWN and exits non-zero).
 */
final class EmbeddedServerSupervisor implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedServerSupervisor.class);

    private final List<EmbeddedServer> servers;
    private final EmbeddedSupervisionProperties properties;
    private final EmbeddedServerListener listener;
    private final Thread thread;
    private volatile boolean running = true;

    EmbeddedServerSupervisor(
            List<EmbeddedServer> servers, EmbeddedSupervisionProperties properties, EmbeddedServerListener listener) {
        this.servers = List.copyOf(servers);
        this.properties = properties;
        this.listener = listener;
        this.thread = new Thread(this::watch, "embedded-servers-supervisor");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void watch() {
        try {
            while (running) {
                for (EmbeddedServer server : servers) {
                    if (running && !server.isRunning() && !recover(server)) {
                        return;
                    }
                }
                pause(properties.checkInterval());
            }
        } catch (RuntimeException e) {
            log.error("Supervision of the embedded servers failed", e);
        }
    }

    /** Waits, unless {@link #close()} cuts it short. A restart under way is never interrupted. */
    private void pause(Duration duration) {
        long until = System.nanoTime() + duration.toNanos();
        long left;
        while (running && (left = until - System.nanoTime()) > 0) {
            LockSupport.parkNanos(this, left);
        }
    }

    /** Restarts a dead server; false once it is given up on. */
    private boolean recover(EmbeddedServer server) {
        log.error("Embedded {} (port {}) is gone; restarting it", server.name(), server.port());
        listener.down(server);
        Duration backoff = properties.initialBackoff();
        Exception lastFailure = null;
        for (int attempt = 1; attempt <= properties.maxRestarts() && running; attempt++) {
            pause(backoff);
            if (!running) {
                return true;
            }
            try {
                server.start();
                if (!server.isRunning()) {
                    // a restart that did not take is a failed try, never "restarted (pid -1)" in a loop
                    throw new IllegalStateException(server.name() + " was started, but its process does not run");
                }
                log.warn("Embedded {} restarted (pid {}) after {} tries", server.name(), server.pid(), attempt);
                listener.restarted(server, attempt);
                return true;
            } catch (RuntimeException e) {
                lastFailure = e;
                log.warn(
                        "Embedded {}: restart {} of {} failed: {}",
                        server.name(),
                        attempt,
                        properties.maxRestarts(),
                        e.toString());
            }
            backoff = backoff.multipliedBy(2).compareTo(properties.maxBackoff()) > 0
                    ? properties.maxBackoff()
                    : backoff.multipliedBy(2);
        }
        if (!running) {
            return true;
        }
        log.error(
                "Embedded {} could not be restarted after {} tries; giving up",
                server.name(),
                properties.maxRestarts(),
                lastFailure);
        listener.gaveUp(server, lastFailure);
        return false;
    }

    /** Stops watching (before the servers are stopped on purpose); waits for a restart under way. */
    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
        if (Thread.currentThread() == thread || !thread.isAlive()) {
            return;
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(90));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
