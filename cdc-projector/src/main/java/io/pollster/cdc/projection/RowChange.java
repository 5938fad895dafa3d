package io.pollster.cdc.projection;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * One committed row change read from the WAL, free of Debezium's types: the table, what happened, the
 * row (after an insert or update, before a delete) as column → value, and where and when it committed.
 *
 * @param lsn WAL position of the change, increasing along the WAL; consumers of change events dedupe on it
 * @param committedAt commit time of the transaction, as PostgreSQL recorded it
 */
public record RowChange(String table, Operation operation, long lsn, Instant committedAt, Map<String, Object> row) {

    public RowChange {
        row = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(row));
    }

    public enum Operation {
        INSERT,
        UPDATE,
        DELETE;

        /** Debezium's {@code op} codes; {@code r} (a snapshot read) counts as an insert. */
        public static Operation ofDebezium(String op) {
            return switch (op) {
                case "c", "r" -> INSERT;
                case "u" -> UPDATE;
                case "d" -> DELETE;
                default -> throw new IllegalArgumentException("unknown Debezium operation " + op);
            };
        }
    }

    public UUID uuid(String column) {
        Object value = row.get(column);
        return value == null ? null : UUID.fromString(value.toString());
    }

    public Instant instant(String column) {
        Object value = row.get(column);
        return value == null ? null : Instant.parse(value.toString());
    }

    public long number(String column) {
        return ((Number) row.get(column)).longValue();
    }
}
