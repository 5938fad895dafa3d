/** Reconciliation: Redis counts of active polls compared with {@code choice_counts}, drift repaired. */
package io.pollster.jobs.reconcile;
