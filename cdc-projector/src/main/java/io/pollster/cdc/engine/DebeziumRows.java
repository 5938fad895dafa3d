package io.pollster.cdc.engine;

import io.pollster.cdc.projection.RowChange;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/** Reads Debezium's change envelope (Kafka Connect structs) into {@link RowChange}s. */
final class DebeziumRows {

    private DebeziumRows() {}

    /** The row change a record carries; empty for heartbeats and tombstones, which carry none. */
    static Optional<RowChange> rowChange(SourceRecord record) {
        if (!(record.value() instanceof Struct envelope)
                || envelope.schema().field("source") == null
                || envelope.schema().field("op") == null) {
            return Optional.empty();
        }
        Struct source = envelope.getStruct("source");
        RowChange.Operation operation = RowChange.Operation.ofDebezium(envelope.getString("op"));
        Struct row = envelope.getStruct(operation == RowChange.Operation.DELETE ? "before" : "after");
        if (row == null) {
            return Optional.empty();
        }
        Map<String, Object> columns = new LinkedHashMap<>();
        for (Field field : row.schema().fields()) {
            columns.put(field.name(), row.get(field));
        }
        Long lsn = source.getInt64("lsn");
        return Optional.of(new RowChange(
                source.getString("table"), operation, lsn == null ? 0 : lsn, commitTime(source), columns));
    }

    /** Microseconds when Debezium provides them: the commit→publish latency is measured from here. */
    private static Instant commitTime(Struct source) {
        if (source.schema().field("ts_us") != null && source.getInt64("ts_us") != null) {
            long micros = source.getInt64("ts_us");
            return Instant.ofEpochSecond(micros / 1_000_000, (micros % 1_000_000) * 1_000);
        }
        return Instant.ofEpochMilli(source.getInt64("ts_ms"));
    }
}
