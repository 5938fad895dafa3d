package io.pollster.embedded;

/** One embedded server process: PostgreSQL or Redis, on a data directory and port that outlive it. */
public sealed interface EmbeddedServer extends AutoCloseable permits EmbeddedPostgresServer, EmbeddedRedisServer {

    /** {@code postgres} or {@code redis}: the tag of its metrics and the name of its health details. */
    String name();

    /** Starts the server if it does not run; one that died starts again on its data and port. */
    EmbeddedServer start();

    /** Stops the server cleanly, keeping its data. */
    void stop();

    /** Whether the server's process is alive (a zombie is not). */
    boolean isRunning();

    /** The pid of the server process (the postmaster, redis-server), or -1 when it does not run. */
    long pid();

    int port();

    @Override
    default void close() {
        stop();
    }
}
