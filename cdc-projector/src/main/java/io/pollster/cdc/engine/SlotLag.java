package io.pollster.cdc.engine;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.pollster.cdc.CdcProperties;
import java.util.Optional;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * How far the slot's confirmed position trails the WAL, in bytes: WAL PostgreSQL keeps for this
 * projector. Exposed as the {@code pollster.cdc.slot.lag} gauge, read on each scrape.
 */
@Component
@ConditionalOnBooleanProperty(name = "pollster.cdc.enabled", matchIfMissing = true)
class SlotLag {

    private final JdbcClient jdbc;
    private final String slotName;

    SlotLag(JdbcClient jdbc, CdcProperties properties, MeterRegistry meters) {
        this.jdbc = jdbc;
        this.slotName = properties.slotName();
        Gauge.builder("pollster.cdc.slot.lag", this, lag -> lag.bytes()
                        .map(Long::doubleValue)
                        .orElse(Double.NaN))
                .description("WAL retained for the CDC slot (current WAL position minus confirmed flush)")
                .baseUnit("bytes")
                .register(meters);
    }

    Optional<Long> bytes() {
        try {
            return jdbc.sql(
                            """
                            SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint
                            FROM pg_replication_slots WHERE slot_name = ?
                            """)
                    .param(slotName)
                    .query(Long.class)
                    .optional();
        } catch (DataAccessException unreachable) {
            return Optional.empty();
        }
    }
}
