package io.pollster.api.vote;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.UUID;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the vote path ({@code pollster.votes.*}): the HTTP side and the stream ingester.
 *
 * @param batchSize most stream entries the ingester writes to PostgreSQL in one transaction
 * @param blockTime how long one XREADGROUP waits for new entries before the ingester looks around
 *     (reclaims, gauges, shutdown)
 * @param claimIdleTimeout how long an entry stays pending with a consumer before another consumer
 *     reclaims it (XAUTOCLAIM): longer than a slow batch, short enough that a dead consumer's votes
 *     are not delayed for long
 * @param maxTries deliveries of an entry that keeps failing before it goes to the dead-letter stream
 * @param idempotencyTtl how long an {@code Idempotency-Key} answers retries with the first answer
 * @param acceptedTtl how long Redis remembers an accepted vote id for the status endpoint, until
 *     PostgreSQL knows it; longer than any ingest backlog
 * @param consumerName this instance's consumer name in the stream consumer groups; by default host,
 *     pid and a random suffix, so two instances (or a restart) never share one
 * @param ingesterEnabled whether this instance runs the stream ingester
 * @param workersPerShard consumers this instance runs on each shard's stream: a hot poll lives on
 *     one shard, and two transactions in flight keep PostgreSQL busy while the other batch is read
 *     or acknowledged
 */
@ConfigurationProperties("pollster.votes")
@Validated
public record VotesProperties(
        @DefaultValue("500") @Min(1) @Max(4000) int batchSize,
        @DefaultValue("1s") Duration blockTime,
        @DefaultValue("30s") Duration claimIdleTimeout,
        @DefaultValue("5") @Min(1) int maxTries,
        @DefaultValue("24h") Duration idempotencyTtl,
        @DefaultValue("1h") Duration acceptedTtl,
        @DefaultValue("") String consumerName,
        @DefaultValue("true") boolean ingesterEnabled,
        @DefaultValue("2") @Min(1) @Max(16) int workersPerShard) {

    public VotesProperties {
        if (consumerName == null || consumerName.isBlank()) {
            consumerName = defaultConsumerName();
        }
    }

    private static String defaultConsumerName() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "unknown-host";
        }
        return host + "-" + ManagementFactory.getRuntimeMXBean().getPid() + "-"
                + UUID.randomUUID().toString().substring(0, 8);
    }
}
