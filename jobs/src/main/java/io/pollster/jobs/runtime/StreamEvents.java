package io.pollster.jobs.runtime;

import io.pollster.core.json.PollsterJson;
import io.pollster.core.stream.UnreadableEntryException;
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

    /**
     * Reads an entry's fields as {@code type}.
     *
     * @throws UnreadableEntryException when they do not make one: no retry can help such an entry
     */
    public static <T> T read(Map<String, String> fields, Class<T> type) {
        try {
            return PollsterJson.mapper().convertValue(fields, type);
        } catch (RuntimeException e) {
            throw new UnreadableEntryException("unreadable " + type.getSimpleName() + " entry " + fields, e);
        }
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
