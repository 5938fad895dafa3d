package io.pollster.core;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings every service shares ({@code pollster.*}).
 *
 * @param shards number of shards of the vote, milestone, notify, archival and changes streams. Every
 *     service must use the same value; change it only with the streams drained.
 * @param consumerName this instance's name in every stream consumer group (the ingester adds
 *     {@code -<worker>}). Empty: {@code <host>-<server.port>}, stable across restarts so a restarted
 *     instance re-reads its own pending entries at once; with {@code server.port=0} a random name. Two
 *     instances must never share a name.
 */
@ConfigurationProperties("pollster")
@Validated
public record CoreProperties(@DefaultValue("8") @Min(1) @Max(1024) int shards, @DefaultValue("") String consumerName) {}
