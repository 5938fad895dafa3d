package io.pollster.core.stream;

import java.util.List;

/**
 * What a {@link StreamConsumer} does with the entries it reads. {@link #handle} applies their effect
 * durably; the consumer acknowledges them only after it returned, so delivery is at least once and the
 * effect must be idempotent.
 */
public interface StreamHandler {

    /**
     * Applies the effect of {@code entries}, all or none (one transaction, where the handler has one).
     * Throwing leaves them pending; {@link StreamFailures} decides whether the failure is the stores'
     * (retried as long as it lasts) or an entry's own (bisected down to the entry, which then counts a
     * try).
     */
    void handle(List<StreamEntry> entries);

    /**
     * Records, durably, that {@code entry} was given up on. Called before the entry goes to the
     * dead-letter stream and is acknowledged, and again if the process dies in between: it must be
     * idempotent.
     */
    default void deadLettered(StreamEntry entry, String reason) {}

    /** Called after each read batch was handled completely (acknowledged or dead-lettered). */
    default void afterBatch() {}
}
