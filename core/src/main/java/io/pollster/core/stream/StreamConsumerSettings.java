package io.pollster.core.stream;

import java.time.Duration;
import java.util.Objects;

/**
 * How one {@link StreamConsumer} reads one stream.
 *
 * @param stream the stream read
 * @param group the consumer group, created from id {@code 0} with MKSTREAM when missing
 * @param consumerName this consumer's name in the group: stable across restarts of the instance, so a
 *     restart re-reads its own pending entries at once
 * @param deadLetterStream where entries given up on go, with {@code source_id}, {@code reason} and
 *     {@code tries}; same hash tag as {@code stream}
 * @param batchSize most entries read (and handled together) at once
 * @param blockTime how long one read waits for new entries; also the longest a stop waits for a read
 * @param claimIdleTimeout pending this long with any consumer (a dead one) and an entry is taken over
 *     (XAUTOCLAIM); consumer names without pending entries idle this long are removed from the group
 * @param maxTries refusals of one entry (counted by Pollster, see {@link StreamFailures}) before it is
 *     dead-lettered
 * @param retryInitial first pause after a failure; doubled after each further failure
 * @param retryMax longest pause between two tries during an outage
 * @param deadLetterMaxLength approximate cap of the dead-letter stream
 */
public record StreamConsumerSettings(
        String stream,
        String group,
        String consumerName,
        String deadLetterStream,
        int batchSize,
        Duration blockTime,
        Duration claimIdleTimeout,
        int maxTries,
        Duration retryInitial,
        Duration retryMax,
        long deadLetterMaxLength) {

    public StreamConsumerSettings {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(consumerName, "consumerName");
        Objects.requireNonNull(deadLetterStream, "deadLetterStream");
        if (batchSize < 1 || maxTries < 1) {
            throw new IllegalArgumentException("batchSize and maxTries must be at least 1");
        }
        if (retryMax.compareTo(retryInitial) < 0) {
            retryMax = retryInitial;
        }
    }
}
