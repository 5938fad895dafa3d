package io.pollster.embedded;

/**
 * What the rest of a process learns from the supervision of its embedded servers. Called on the
 * supervisor's thread, one server at a time.
 */
public interface EmbeddedServerListener {

    /** {@code server} died; restarts follow. */
    void down(EmbeddedServer server);

    /** {@code server} runs again, after {@code attempt} tries. */
    void restarted(EmbeddedServer server, int attempt);

    /** {@code server} could not be restarted; nothing more is tried. */
    void gaveUp(EmbeddedServer server, Exception lastFailure);
}
