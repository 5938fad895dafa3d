package io.pollster.embedded;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the embedded servers ({@code pollster.embedded.*}).
 *
 * @param enabled start embedded servers for whatever is not configured externally
 * @param dataDir where PostgreSQL ({@code postgres/}) and Redis ({@code redis/}) keep their data
 * @param postgresPort port of the embedded PostgreSQL; 0 picks a free one
 * @param redisPort port of the embedded Redis; 0 picks a free one
 * @param durable {@code fsync} and {@code synchronous_commit} on, and Redis AOF fsync every second: an
 *     acknowledged vote survives a crash. Only throwaway test servers turn it off.
 */
@ConfigurationProperties("pollster.embedded")
public record EmbeddedProperties(
        @DefaultValue("false") boolean enabled,
        @DefaultValue("./data") Path dataDir,
        @DefaultValue("15432") int postgresPort,
        @DefaultValue("16379") int redisPort,
        @DefaultValue("true") boolean durable) {}
