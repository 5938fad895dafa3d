package io.pollster.bench;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The command line of every benchmark: {@code --name=value}, {@code --name value} or {@code name=value},
 * and {@code --flag} alone for {@code true}. Unknown names are not refused here (each benchmark reads the
 * ones it knows), but a token that is none of these forms is.
 */
public final class BenchArgs {

    private final Map<String, String> values;

    private BenchArgs(Map<String, String> values) {
        this.values = values;
    }

    public static BenchArgs parse(String... argv) {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < argv.length; i++) {
            String token = argv[i];
            if (token.isBlank()) {
                continue;
            }
            boolean dashed = token.startsWith("--");
            String body = dashed ? token.substring(2) : token;
            int equals = body.indexOf('=');
            if (equals > 0) {
                values.put(body.substring(0, equals), body.substring(equals + 1));
            } else if (dashed && !body.isEmpty()) {
                boolean valueFollows = i + 1 < argv.length && !argv[i + 1].startsWith("--");
                values.put(body, valueFollows ? argv[++i] : "true");
            } else {
                throw new IllegalArgumentException(
                        "unexpected argument '" + token + "': use --name=value, --name value or name=value");
            }
        }
        return new BenchArgs(values);
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    public Optional<String> optional(String name) {
        return Optional.ofNullable(values.get(name));
    }

    public String string(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    public int integer(String name, int fallback) {
        String value = values.get(name);
        if (value == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(value.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a whole number, not '" + value + "'");
        }
    }

    public boolean flag(String name) {
        return Boolean.parseBoolean(values.getOrDefault(name, "false"));
    }

    /** A copy with these values set (what a started server adds: its URLs and pid). */
    public BenchArgs with(Map<String, String> more) {
        Map<String, String> copy = new LinkedHashMap<>(values);
        copy.putAll(more);
        return new BenchArgs(copy);
    }

    public Map<String, String> asMap() {
        return Collections.unmodifiableMap(values);
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
