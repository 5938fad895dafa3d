package io.pollster.jobs.reconcile;

import jakarta.validation.constraints.Min;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Reconciliation of Redis counts ({@code pollster.jobs.reconcile.*}).
 *
 * @param enabled whether this instance reconciles
 * @param interval pause between two rounds; a count behind PostgreSQL in two rounds in a row is drift
 * @param batchSize polls (open and closed) listed per query
 */
@ConfigurationProperties("pollster.jobs.reconcile")
@Validated
record ReconcileProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("30s") Duration interval,
        @DefaultValue("500") @Min(1) int batchSize) {}
