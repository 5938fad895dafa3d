package io.pollster.topology;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.Yaml;

/**
 * The shipped docker-compose.yml, read so the topology runs every service with exactly the
 * environment compose gives it (anchors and {@code <<} merges resolved): the file cannot drift from
 * what the test runs.
 */
public final class ComposeFile {

    private static final Pattern INTERPOLATION =
            Pattern.compile("\\$\\$|\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?}");

    private final Map<String, Map<String, Object>> services;

    private ComposeFile(Map<String, Map<String, Object>> services) {
        this.services = services;
    }

    public static ComposeFile read(Path file) {
        return read(List.of(file));
    }

    /**
     * Several files as {@code docker compose -f a.yml -f b.yml} reads them: a later file's service
     * adds to an earlier one's, its environment variables merged name by name, any other setting
     * replaced.
     */
    @SuppressWarnings("unchecked")
    public static ComposeFile read(List<Path> files) {
        Map<String, Map<String, Object>> services = new LinkedHashMap<>();
        for (Path file : files) {
            try (InputStream in = Files.newInputStream(file)) {
                Map<String, Object> compose = new Yaml().load(in);
                Map<String, Map<String, Object>> these =
                        (Map<String, Map<String, Object>>) compose.getOrDefault("services", Map.of());
                these.forEach((name, service) -> {
                    Map<String, Object> merged = services.computeIfAbsent(name, n -> new LinkedHashMap<>());
                    service.forEach((key, value) -> {
                        if (key.equals("environment")
                                && merged.get(key) instanceof Map<?, ?> earlier
                                && value instanceof Map<?, ?> later) {
                            Map<Object, Object> environment = new LinkedHashMap<>(earlier);
                            environment.putAll(later);
                            merged.put(key, environment);
                        } else {
                            merged.put(key, value);
                        }
                    });
                });
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return new ComposeFile(services);
    }

    public Set<String> services() {
        return services.keySet();
    }

    /** The environment of {@code service}, values as compose passes them (strings). */
    public Map<String, String> environment(String service) {
        Object environment = service(service).get("environment");
        Map<String, String> variables = new LinkedHashMap<>();
        if (environment instanceof Map<?, ?> map) {
            map.forEach((name, value) ->
                    variables.put(name.toString(), value == null ? "" : interpolate(value.toString())));
        } else if (environment instanceof List<?> list) {
            for (Object entry : list) {
                String[] nameValue = entry.toString().split("=", 2);
                variables.put(nameValue[0], nameValue.length > 1 ? interpolate(nameValue[1]) : "");
            }
        }
        return variables;
    }

    /**
     * Compose's variable interpolation, as {@code docker compose} does it from the shell's environment:
     * {@code ${NAME}}, {@code ${NAME:-default}} (unset or empty), {@code ${NAME-default}} (unset), and
     * {@code $$} for a dollar sign.
     */
    static String interpolate(String value) {
        Matcher references = INTERPOLATION.matcher(value);
        StringBuilder out = new StringBuilder();
        while (references.find()) {
            String replacement;
            if (references.group().equals("$$")) {
                replacement = "$";
            } else {
                String set = System.getenv(references.group(1));
                String operator = references.group(2);
                String fallback = references.group(3) == null ? "" : references.group(3);
                if (operator == null) {
                    replacement = set == null ? "" : set;
                } else if (operator.equals(":-")) {
                    replacement = set == null || set.isEmpty() ? fallback : set;
                } else {
                    replacement = set == null ? fallback : set;
                }
            }
            references.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        references.appendTail(out);
        return out.toString();
    }

    /** The {@code command} of {@code service} as a list of arguments. */
    public List<String> command(String service) {
        Object command = service(service).get("command");
        if (command instanceof List<?> list) {
            return list.stream().map(Object::toString).toList();
        }
        if (command instanceof String string) {
            return List.of(string.trim().split("\\s+"));
        }
        return List.of();
    }

    /** The {@code entrypoint} of {@code service} as a list of arguments (empty if it keeps the image's). */
    public List<String> entrypoint(String service) {
        Object entrypoint = service(service).get("entrypoint");
        if (entrypoint instanceof List<?> list) {
            return list.stream().map(Object::toString).toList();
        }
        if (entrypoint instanceof String string) {
            return List.of(string.trim().split("\\s+"));
        }
        return List.of();
    }

    /** The container port of {@code service}'s first published port ({@code "8080:8080"} → 8080). */
    public int containerPort(String service) {
        Object ports = service(service).get("ports");
        if (!(ports instanceof List<?> list) || list.isEmpty()) {
            throw new IllegalArgumentException(service + " publishes no port in docker-compose.yml");
        }
        String mapping = list.get(0).toString();
        return Integer.parseInt(mapping.substring(mapping.lastIndexOf(':') + 1).replaceAll("/.*", ""));
    }

    /**
     * {@code environment} with every compose address ({@code host:port} of a compose service, e.g.
     * {@code postgres:5432}) replaced by where the topology runs it: only addresses change.
     */
    public static Map<String, String> substitute(Map<String, String> environment, Map<String, String> addresses) {
        Map<String, String> substituted = new LinkedHashMap<>();
        environment.forEach((name, value) -> {
            String result = value;
            for (var address : addresses.entrySet()) {
                result = result.replace("//" + address.getKey(), "//" + address.getValue());
            }
            substituted.put(name, result);
        });
        return substituted;
    }

    private Map<String, Object> service(String name) {
        Map<String, Object> service = services.get(name);
        if (service == null) {
            throw new IllegalArgumentException("docker-compose.yml has no service " + name);
        }
        return service;
    }
}
