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
 */
@ConfigurationProperties("pollster")
@Validated
public record CoreProperties(@DefaultValue("8") @Min(1) @Max(1024) int shards) {}
