package io.pollster.cdc.engine;

import io.pollster.cdc.CdcProperties;
import io.pollster.cdc.projection.ChangeProjector;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * The {@code cdc} component of {@code /actuator/health}: UP while streaming or standing by for the
 * slot, DOWN while retrying after a failure (PostgreSQL or Redis unreachable), UNKNOWN while starting.
 */
@Component("cdcHealthIndicator")
@ConditionalOnBooleanProperty(name = "pollster.cdc.enabled", matchIfMissing = true)
class CdcHealthIndicator implements HealthIndicator {

    private final CdcEngineRunner runner;
    private final ChangeProjector projector;
    private final SlotLag slotLag;
    private final CdcProperties properties;

    CdcHealthIndicator(CdcEngineRunner runner, ChangeProjector projector, SlotLag slotLag, CdcProperties properties) {
        this.runner = runner;
        this.projector = projector;
        this.slotLag = slotLag;
        this.properties = properties;
    }

    @Override
    public Health health() {
        CdcEngineRunner.State state = runner.state();
        Health.Builder health =
                switch (state) {
                    case STREAMING, STANDBY -> Health.up();
                    case RETRYING, STOPPED -> Health.down();
                    case STARTING -> Health.unknown();
                };
        health.withDetail("state", state.name().toLowerCase()).withDetail("slot", properties.slotName());
        projector.lastAppliedCommit().ifPresent(at -> health.withDetail("last_applied_commit", at.toString()));
        if (state == CdcEngineRunner.State.STREAMING) {
            slotLag.bytes().ifPresent(lag -> health.withDetail("slot_lag_bytes", lag));
        }
        runner.lastError().ifPresent(error -> health.withDetail("last_error", error.toString()));
        return health.build();
    }
}
