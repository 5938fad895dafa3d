package io.pollster.core.json;

import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;

/**
 * The JSON conventions of docs/api.md: snake_case field names, ISO-8601 times. Spring's mapper gets them
 * through {@code CoreAutoConfiguration}; code outside a Spring context (messages on Redis, the bench)
 * uses {@link #mapper()}.
 */
public final class PollsterJson {

    private static final JsonMapper MAPPER = configure(JsonMapper.builder()).build();

    private PollsterJson() {}

    public static JsonMapper mapper() {
        return MAPPER;
    }

    /** Applies Pollster's conventions to a mapper under construction. */
    public static JsonMapper.Builder configure(JsonMapper.Builder builder) {
        return builder.propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
    }
}
