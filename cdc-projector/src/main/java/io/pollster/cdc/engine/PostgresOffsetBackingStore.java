package io.pollster.cdc.engine;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.connect.runtime.WorkerConfig;
import org.apache.kafka.connect.storage.MemoryOffsetBackingStore;

/**
 * Debezium's offsets in the {@code cdc_offsets} table, so the position survives the projector's host
 * and a standby taking over reads where the last reader stopped. Debezium instantiates it by class
 * name ({@code offset.storage}) and hands it the engine's properties; the engine flushes after every
 * batch, once that batch's effects are in Redis.
 */
public final class PostgresOffsetBackingStore extends MemoryOffsetBackingStore {

    static final String JDBC_URL = "pollster.offsets.jdbc.url";
    static final String JDBC_USER = "pollster.offsets.jdbc.user";
    static final String JDBC_PASSWORD = "pollster.offsets.jdbc.password";
    static final String STORE = "pollster.offsets.store";

    private String url;
    private String user;
    private String password;
    private String store;
    private Connection connection;

    @Override
    public void configure(WorkerConfig config) {
        super.configure(config);
        Map<String, Object> settings = config.originals();
        url = Objects.requireNonNull((String) settings.get(JDBC_URL), JDBC_URL);
        user = (String) settings.get(JDBC_USER);
        password = (String) settings.getOrDefault(JDBC_PASSWORD, "");
        store = Objects.requireNonNull((String) settings.get(STORE), STORE);
    }

    @Override
    public synchronized void start() {
        super.start();
        Map<ByteBuffer, ByteBuffer> loaded = new HashMap<>();
        try (PreparedStatement select =
                connection().prepareStatement("SELECT offset_key, offset_value FROM cdc_offsets WHERE store = ?")) {
            select.setString(1, store);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    byte[] value = rows.getBytes(2);
                    loaded.put(ByteBuffer.wrap(rows.getBytes(1)), value == null ? null : ByteBuffer.wrap(value));
                }
            }
            connection().commit();
        } catch (SQLException e) {
            closeConnection();
            throw new IllegalStateException("could not read CDC offsets of " + store, e);
        }
        data.putAll(loaded);
    }

    @Override
    public synchronized void stop() {
        super.stop();
        closeConnection();
    }

    /** Called by the base class on its executor after each {@code set}: write every offset, one transaction. */
    @Override
    protected synchronized void save() {
        try {
            Connection db = connection();
            try (PreparedStatement upsert = db.prepareStatement(
                    """
                    INSERT INTO cdc_offsets (store, offset_key, offset_value, updated_at) VALUES (?, ?, ?, now())
                    ON CONFLICT (store, offset_key)
                    DO UPDATE SET offset_value = EXCLUDED.offset_value, updated_at = now()
                    """)) {
                for (Map.Entry<ByteBuffer, ByteBuffer> offset : data.entrySet()) {
                    upsert.setString(1, store);
                    upsert.setBytes(2, bytes(offset.getKey()));
                    upsert.setBytes(3, offset.getValue() == null ? null : bytes(offset.getValue()));
                    upsert.addBatch();
                }
                upsert.executeBatch();
            }
            db.commit();
        } catch (SQLException e) {
            // the failed flush is retried with the next batch; until then a restart replays a little more,
            // which the idempotent projection absorbs
            closeConnection();
            throw new IllegalStateException("could not write CDC offsets of " + store, e);
        }
    }

    /** Debezium reads offsets by key only; listing a connector's partitions is a Kafka Connect feature. */
    @Override
    public Set<Map<String, Object>> connectorPartitions(String connectorName) {
        return Set.of();
    }

    private Connection connection() throws SQLException {
        if (connection == null || connection.isClosed()) {
            connection = DriverManager.getConnection(url, user, password);
            try (var statement = connection.createStatement()) {
                // an offset lost to a PostgreSQL crash only replays changes, which the projection absorbs:
                // not worth a WAL flush on the projector's path after every batch
                statement.execute("SET synchronous_commit = off");
            }
            connection.setAutoCommit(false);
        }
        return connection;
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // already broken: nothing left to release
            }
            connection = null;
        }
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }
}
