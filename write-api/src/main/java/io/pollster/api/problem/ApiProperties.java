package io.pollster.api.problem;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Limits of the write-api's HTTP interface ({@code pollster.api.*}).
 *
 * @param maxRequestBody largest request body accepted (docs/api.md: 64 KiB); larger ones get 413
 */
@ConfigurationProperties("pollster.api")
@Validated
public record ApiProperties(@DefaultValue("64KB") DataSize maxRequestBody) {}
