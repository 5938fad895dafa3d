package io.pollster.core.stream;

import java.sql.SQLException;

/**
 * The one policy on why handling stream entries failed. Only an entry that PostgreSQL refuses on its
 * own merits (SQLState class 22, data exception, or 23, integrity constraint violation: a foreign key,
 * a check), that a handler refuses the same way ({@link RefusedEntryException}), or that cannot be read
 * at all is the entry's fault. Everything else (PostgreSQL or Redis
 * unreachable, timeouts, an administrator's shutdown 57P01-57P03, connection errors 08xxx,
 * serialization failures 40001, deadlocks 40P01, an S3 outage, and failures nobody foresaw) is treated
 * as the environment's: retried for as long as it lasts and never counted against the entry, so an
 * outage can never turn accepted entries into dead letters. A failure of that kind that is in fact a
 * bug stalls the stream (visible in the log and the pending gauges) rather than dropping data.
 */
public final class StreamFailures {

    /** What a failure means for the entries that caused it. */
    public enum Kind {
        /** The stores or the environment: retry with backoff, count nothing. */
        TRANSIENT,
        /** The entry refused on its own merits: bisect down to it, then count a try. */
        REFUSED,
        /** The entry cannot be read: dead-letter it at once. */
        UNREADABLE
    }

    private StreamFailures() {}

    public static Kind classify(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = next(cause)) {
            if (cause instanceof UnreadableEntryException) {
                return Kind.UNREADABLE;
            }
        }
        for (Throwable cause = failure; cause != null; cause = next(cause)) {
            if (cause instanceof RefusedEntryException) {
                return Kind.REFUSED;
            }
        }
        for (Throwable cause = failure; cause != null; cause = next(cause)) {
            if (cause instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                if (state.startsWith("22") || state.startsWith("23")) {
                    return Kind.REFUSED;
                }
                // the first SQLState found decides: 08xxx, 57P0x, 40001, 40P01, 53xxx ... are transient
                return Kind.TRANSIENT;
            }
        }
        return Kind.TRANSIENT;
    }

    /** The innermost message, for logs and dead-letter reasons. */
    public static String rootMessage(Throwable failure) {
        Throwable root = failure;
        while (next(root) != null) {
            root = next(root);
        }
        return root.getMessage() == null ? root.toString() : root.getMessage();
    }

    /** Whether Redis answered that the stream or its consumer group does not exist. */
    static boolean isNoGroup(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = next(cause)) {
            if (cause.getMessage() != null && cause.getMessage().contains("NOGROUP")) {
                return true;
            }
        }
        return false;
    }

    private static Throwable next(Throwable cause) {
        if (cause instanceof SQLException sql && sql.getNextException() != null && cause.getCause() == null) {
            return sql.getNextException();
        }
        return cause.getCause() == cause ? null : cause.getCause();
    }
}
