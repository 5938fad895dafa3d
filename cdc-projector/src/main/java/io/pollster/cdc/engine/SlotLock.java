package io.pollster.cdc.engine;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * Leadership of a replication slot: a session-level advisory lock held on a dedicated connection for as
 * long as this projector reads the slot. When the holder dies, PostgreSQL ends its session and frees
 * the lock, and a standby's next {@link #tryAcquire} wins.
 */
final class SlotLock implements AutoCloseable {

    private final Connection connection;

    private SlotLock(Connection connection) {
        this.connection = connection;
    }

    /** The lock if no other projector holds it; empty when one does. */
    static Optional<SlotLock> tryAcquire(DatabaseAddress database, String slotName) throws SQLException {
        Connection connection =
                DriverManager.getConnection(database.jdbcUrl(), database.username(), database.password());
        try (PreparedStatement lock = connection.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
            lock.setLong(1, key(slotName));
            try (ResultSet result = lock.executeQuery()) {
                result.next();
                if (result.getBoolean(1)) {
                    return Optional.of(new SlotLock(connection));
                }
            }
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
        connection.close();
        return Optional.empty();
    }

    /** False once the session holding the lock is gone (PostgreSQL restarted, connection cut). */
    boolean isHeld() {
        try {
            return connection.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    /** Closing the session releases the lock. */
    @Override
    public void close() {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // the session is gone, and with it the lock
        }
    }

    /** A stable 64-bit key per slot name, in a namespace of its own (high bits) to avoid other locks. */
    static long key(String slotName) {
        CRC32 crc = new CRC32();
        crc.update(("pollster-cdc:" + slotName).getBytes(StandardCharsets.UTF_8));
        return (0x5C_DCL << 40) | crc.getValue();
    }
}
