/**
 * The CDC projector: an embedded Debezium engine tails PostgreSQL's WAL (pgoutput, one slot) and
 * projects {@code choice_counts} into Redis hashes with keep-the-greater, publishes live updates, and
 * emits milestone, archival and change events. Everything Redis shows about counts comes from here.
 */
package io.pollster.cdc;
