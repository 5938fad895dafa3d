package io.pollster.core.lifecycle;

import org.springframework.context.SmartLifecycle;

/**
 * The order in which a Pollster process stops, in one place. Spring stops {@link SmartLifecycle} beans
 * from the highest phase to the lowest (and starts them the other way round), so on SIGTERM:
 *
 * <ol>
 *   <li>{@link #WEB_SERVER_GRACEFUL_SHUTDOWN}: the web server stops taking connections and lets the
 *       requests in flight finish (Spring Boot's own phase);
 *   <li>{@link #WEB_SERVER}: the web server stops (Spring Boot's own phase);
 *   <li>{@link #VOTE_INGESTER}: the stream ingester finishes the batch it holds, commits and
 *       acknowledges it, then stops reading;
 *   <li>{@link #CDC_PROJECTOR}: the CDC engine applies the batch it holds to Redis and closes;
 *   <li>then the context's beans are destroyed (connection pools, Redis clients), and only after the
 *       last of them the embedded servers, when there are any: Redis, then PostgreSQL.
 * </ol>
 *
 * Everything that writes what the web server accepted therefore still has both stores while it
 * finishes, and no request in flight meets a store that is already gone.
 */
public final class LifecyclePhases {

    /** Spring Boot's phase of the web server's graceful shutdown ({@code WebServerGracefulShutdownLifecycle}). */
    public static final int WEB_SERVER_GRACEFUL_SHUTDOWN = SmartLifecycle.DEFAULT_PHASE - 1024;

    /** Spring Boot's phase of starting and stopping the web server ({@code WebServerStartStopLifecycle}). */
    public static final int WEB_SERVER = SmartLifecycle.DEFAULT_PHASE - 2048;

    /** Stops after the web server: what the server accepted until its last request is ingested. */
    public static final int VOTE_INGESTER = WEB_SERVER - 1024;

    /** Stops after the ingester: the ingester's last commit reaches Redis through the WAL. */
    public static final int CDC_PROJECTOR = VOTE_INGESTER - 1024;

    private LifecyclePhases() {}
}
