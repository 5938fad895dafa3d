package io.pollster.core.stream;

/**
 * Thrown by a {@link StreamHandler} for an entry it refuses on its own merits, as PostgreSQL refuses an
 * integrity violation: an integrity rule the handler keeps itself rather than a constraint (the vote
 * ingester's check that a vote names a choice of a question of its poll). Treated like SQLState class 22
 * or 23: the batch is bisected down to the entry, which counts a try and is dead-lettered after
 * {@code max-tries}.
 */
public class RefusedEntryException extends RuntimeException {

    public RefusedEntryException(String message) {
        super(message);
    }
}
