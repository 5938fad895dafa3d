package io.pollster.core.stream;

import java.util.Map;

/** One entry of a Redis stream: its id and its fields. */
public record StreamEntry(String id, Map<String, String> fields) {

    public StreamEntry {
        fields = Map.copyOf(fields);
    }
}
