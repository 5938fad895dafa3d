package io.pollster.core;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.util.Optional;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionSystemException;

/**
 * Tells a failure of PostgreSQL or Redis being out of reach (refused or dropped connections, timeouts,
 * a server shutting down, starting up or loading its data) from every other failure. A request that
 * fails this way is answered 503 {@code unavailable} with {@code Retry-After} (docs/api.md "Errors"), never
 * a bare 500: the request was fine, the client should try again. Only what is recognised positively
 * counts; a bug stays a 500.
 */
public final class StoreOutage {

    /** What {@code Retry-After} tells a client to wait before trying again, in seconds. */
    public static final int RETRY_AFTER_SECONDS = 5;

    /** The store that could not be reached. */
    public enum Store {
        POSTGRESQL("PostgreSQL"),
        REDIS("Redis");

        private final String displayName;

        Store(String displayName) {
            this.displayName = displayName;
        }

        public String displayName() {
            return displayName;
        }
    }

    private StoreOutage() {}

    /** The store {@code failure} shows to be out of reach, or empty if it is some other failure. */
    public static Optional<Store> of(Throwable failure) {
        boolean outage = false;
        boolean redis = false;
        for (Throwable cause = failure; cause != null; cause = next(cause)) {
            String type = cause.getClass().getName();
            if (type.startsWith("io.lettuce.") || type.startsWith("org.springframework.data.redis.")) {
                redis = true;
            }
            outage |= isOutage(cause);
        }
        if (!outage) {
            return Optional.empty();
        }
        return Optional.of(redis ? Store.REDIS : Store.POSTGRESQL);
    }

    /** The sentence a problem's {@code detail} carries. */
    public static String detail(Store store) {
        return store.displayName() + " cannot be reached right now; try again in " + RETRY_AFTER_SECONDS + " s";
    }

    private static boolean isOutage(Throwable cause) {
        if (cause instanceof DataAccessResourceFailureException // no JDBC connection, Redis connection refused
                || cause instanceof TransientDataAccessResourceException
                || cause instanceof QueryTimeoutException // Redis command timed out
                || cause instanceof CannotCreateTransactionException
                || cause instanceof SQLTransientConnectionException // the pool's connection timeout
                || cause instanceof SQLNonTransientConnectionException
                || cause instanceof SQLRecoverableException
                // refused, or reset by a server that died under the request (SIGKILLed redis-server)
                || cause instanceof java.net.SocketException) {
            return true;
        }
        if (cause instanceof SQLException sql && sql.getSQLState() != null) {
            String state = sql.getSQLState();
            // 08: connection exception; 57P01-57P03: admin or crash shutdown, cannot connect now
            // (starting up, recovering); 53300: too many connections
            return state.startsWith("08") || state.startsWith("57P0") || state.equals("53300");
        }
        return isLettuceOutage(cause);
    }

    private static boolean isLettuceOutage(Throwable cause) {
        String type = cause.getClass().getName();
        if (type.equals("io.lettuce.core.RedisConnectionException")
                || type.equals("io.lettuce.core.RedisCommandTimeoutException")
                || type.equals("io.lettuce.core.RedisLoadingException")) {
            return true;
        }
        String message = cause.getMessage();
        return type.equals("io.lettuce.core.RedisException")
                && message != null
                && (message.startsWith("Connection closed") || message.startsWith("Currently not connected"));
    }

    private static Throwable next(Throwable cause) {
        if (cause instanceof TransactionSystemException rollback && rollback.getApplicationException() != null) {
            // a rollback that failed on a dead connection hides the failure that made it roll back
            return rollback.getApplicationException();
        }
        if (cause instanceof SQLException sql && cause.getCause() == null) {
            return sql.getNextException();
        }
        return cause.getCause() == cause ? null : cause.getCause();
    }
}
