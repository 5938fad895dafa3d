package io.pollster.cdc.engine;

import io.debezium.config.CommonConnectorConfig;
import io.debezium.embedded.async.AsyncEngineConfig;
import io.pollster.cdc.CdcProperties;
import java.util.Properties;

/** The embedded engine's configuration: the PostgreSQL connector on pgoutput, offsets in PostgreSQL. */
final class DebeziumSettings {

    /**
     * The tables the projector reads; the publication is kept filtered to exactly these (Debezium
     * alters an existing filtered publication to match on start).
     */
    static String tables(CdcProperties cdc) {
        String counters = "public.choice_counts,public.question_voter_counts,public.poll_voter_counts,";
        return cdc.responseEvents()
                ? counters + "public.responses,public.polls,public.cdc_heartbeats"
                : counters + "public.polls,public.cdc_heartbeats";
    }

    private DebeziumSettings() {}

    static Properties of(CdcProperties cdc, DatabaseAddress database) {
        Properties props = new Properties();
        props.setProperty("name", cdc.slotName());
        props.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        props.setProperty("topic.prefix", cdc.topicPrefix());

        // offsets: in PostgreSQL, flushed after every batch (the engine marks a batch only once it is in Redis)
        props.setProperty("offset.storage", PostgresOffsetBackingStore.class.getName());
        props.setProperty("offset.flush.interval.ms", "0");
        props.setProperty("offset.flush.timeout.ms", "10000");
        props.setProperty(PostgresOffsetBackingStore.JDBC_URL, database.jdbcUrl());
        props.setProperty(PostgresOffsetBackingStore.JDBC_USER, database.username());
        props.setProperty(PostgresOffsetBackingStore.JDBC_PASSWORD, database.password());
        props.setProperty(PostgresOffsetBackingStore.STORE, cdc.slotName());

        props.setProperty("database.hostname", database.host());
        props.setProperty("database.port", Integer.toString(database.port()));
        props.setProperty("database.user", database.username());
        props.setProperty("database.password", database.password());
        props.setProperty("database.dbname", database.database());
        // the URL's TLS and driver parameters, which the connector would not read from the URL
        database.debeziumSettings().forEach(props::setProperty);

        props.setProperty("plugin.name", "pgoutput");
        props.setProperty("slot.name", cdc.slotName());
        props.setProperty("slot.drop.on.stop", Boolean.toString(cdc.dropSlotOnStop()));
        props.setProperty("publication.name", cdc.publicationName());
        props.setProperty("publication.autocreate.mode", "filtered");
        props.setProperty("table.include.list", tables(cdc));
        // Redis is rebuilt from choice_counts by the read path: a fresh slot starts at the current WAL
        // position instead of replaying every row
        props.setProperty("snapshot.mode", "no_data");
        props.setProperty("tombstones.on.delete", "false");

        props.setProperty(
                "heartbeat.interval.ms", Long.toString(cdc.heartbeatInterval().toMillis()));
        // a change in the publication while the polled tables are idle lets the slot's position move on
        props.setProperty(
                "heartbeat.action.query",
                "INSERT INTO cdc_heartbeats (slot_name, beat_at) VALUES ('"
                        + cdc.slotName().replace("'", "''")
                        + "', now()) ON CONFLICT (slot_name) DO UPDATE SET beat_at = EXCLUDED.beat_at");

        props.setProperty("poll.interval.ms", Long.toString(cdc.pollInterval().toMillis()));
        props.setProperty("max.batch.size", Integer.toString(cdc.maxBatchSize()));
        props.setProperty("max.queue.size", Integer.toString(cdc.maxBatchSize() * 4));

        // per-event work nobody reads here (the projector's own Micrometer meters are what is monitored):
        // context headers on every record, and a latency sketch updated with every event
        props.setProperty(CommonConnectorConfig.EXTENDED_HEADERS_ENABLED.name(), "false");
        props.setProperty(CommonConnectorConfig.STATISTICS_METRICS_ENABLED.name(), "false");
        // the engine hands every record of a batch to this pool before the batch reaches the projector;
        // unset, it is a cached pool that wakes (or starts) a thread per record. One thread takes a
        // batch's records from its queue in one go, in order
        props.setProperty(AsyncEngineConfig.RECORD_PROCESSING_THREADS.name(), "1");
        return props;
    }
}
