package io.pollster.jobs.runtime;

import io.pollster.core.json.PollsterJson;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.core.type.TypeReference;

/**
 * Stream entries to and from the {@code core.events} records: the record's snake_case JSON field names
 * are the entry's fields, every value a string.
 */
public final class StreamEvents {

    private static final TypeReference<Map<String, Object>> FIELDS = new TypeReference<>() {};

    private StreamEvents() {}

    public static <T> T read(Map<String, String> fields, Class<T> type) {
        return PollsterJson.mapper().convertValue(fields, type);
    }

    public static Map<String, String> write(Object event) {
        Map<String, String> fields = new LinkedHashMap<>();
        PollsterJson.mapper().convertValue(event, FIELDS).forEach((name, value) -> {
            if (value != null) {
                fields.put(name, String.valueOf(value));
            }
        });
        return fields;
    }
}
