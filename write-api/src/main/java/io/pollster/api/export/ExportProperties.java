package io.pollster.api.export;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the CSV exports ({@code pollster.exports.*}).
 *
 * @param fetchSize rows PostgreSQL sends per round trip while {@code responses.csv} streams: the most
 *     responses an export holds in memory at once
 */
@ConfigurationProperties("pollster.exports")
@Validated
public record ExportProperties(@DefaultValue("1000") @Min(10) @Max(100_000) int fetchSize) {}
