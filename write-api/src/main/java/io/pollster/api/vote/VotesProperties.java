package io.pollster.api.vote;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the vote path ({@code pollster.votes.*}): the HTTP side and the stream ingester. The
 * ingester's consumer name is core's {@code pollster.consumer-name}.
 *
 * @param batchSize most stream entries (votes) the ingester reads at once, and most answers (rows) it
 *     writes to PostgreSQL in one transaction; a vote is never split, so one with more answers goes
 *     into a transaction of its own
 * @param blockTime how long one XREADGROUP waits for new entries before the ingester looks around
 *     (reclaims, shutdown)
 * @param claimIdleTimeout how long an entry stays pending with a consumer before another consumer
 *     reclaims it (XAUTOCLAIM): longer than a slow batch, short enough that a dead consumer's votes
 *     are not delayed for long. A restarted instance does not wait for it: it re-reads its own entries
 * @param maxTries refusals by PostgreSQL of one entry on its own merits (a foreign key, a check) before
 *     it goes to the dead-letter stream; an outage of PostgreSQL or Redis never counts
 * @param retryInitial first pause after a failure of the stores; doubled after each further one
 * @param retryMax longest pause between two tries while PostgreSQL or Redis is unreachable
 * @param idempotencyTtl how long an {@code Idempotency-Key} answers retries with the first answer
 * @param acceptedTtl how long Redis remembers an accepted vote id for the status endpoint, until
 *     PostgreSQL knows it; longer than any ingest backlog
 * @param ingesterEnabled whether this instance runs the stream ingester
 * @param workersPerShard consumers this instance runs on each shard's stream: a hot poll lives on
 *     one shard, and two transactions in flight keep PostgreSQL busy while the other batch is read
 *     or acknowledged
 * @param storeIpAddress whether an anonymous vote ({@code voters} {@code device} or {@code ip}) keeps the
 *     client address in {@code responses.ip_address}; off, the address never leaves the request (not in
 *     Redis, not in PostgreSQL) and the column stays NULL. Users' votes never keep it
 */
@ConfigurationProperties("pollster.votes")
@Validated
public record VotesProperties(
        @DefaultValue("500") @Min(1) @Max(4000) int batchSize,
        @DefaultValue("1s") Duration blockTime,
        @DefaultValue("30s") Duration claimIdleTimeout,
        @DefaultValue("5") @Min(1) int maxTries,
        @DefaultValue("100ms") Duration retryInitial,
        @DefaultValue("5s") Duration retryMax,
        @DefaultValue("24h") Duration idempotencyTtl,
        @DefaultValue("1h") Duration acceptedTtl,
        @DefaultValue("true") boolean ingesterEnabled,
        @DefaultValue("2") @Min(1) @Max(16) int workersPerShard,
        @DefaultValue("true") boolean storeIpAddress) {}
