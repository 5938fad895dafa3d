package io.pollster.cdc.engine;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Where PostgreSQL is, from the application's JDBC URL: what Debezium's {@code database.*} settings need,
 * including the URL's parameters (TLS above all: {@code sslmode}, {@code sslrootcert}, …), which Debezium
 * does not read from a URL and would otherwise drop.
 */
record DatabaseAddress(String jdbcUrl, String username, String password) {

    /** pgjdbc parameters that Debezium's PostgreSQL connector takes as {@code database.<name>}. */
    private static final Set<String> CONNECTOR_PARAMETERS =
            Set.of("sslmode", "sslcert", "sslkey", "sslpassword", "sslrootcert", "sslfactory", "tcpKeepAlive");
    /** Credentials: given to Debezium as {@code database.user} and {@code database.password}. */
    private static final Set<String> CREDENTIALS = Set.of("user", "password");

    DatabaseAddress {
        if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:postgresql://")) {
            throw new IllegalArgumentException("the CDC projector needs a jdbc:postgresql:// URL, got " + jdbcUrl);
        }
        Map<String, String> parameters = parameters(jdbcUrl);
        if (username == null || username.isEmpty()) {
            username = parameters.get("user");
        }
        if (password == null || password.isEmpty()) {
            password = parameters.getOrDefault("password", "");
        }
    }

    private URI uri() {
        return URI.create(jdbcUrl.substring("jdbc:".length()));
    }

    String host() {
        return uri().getHost();
    }

    int port() {
        int port = uri().getPort();
        return port == -1 ? 5432 : port;
    }

    String database() {
        String path = uri().getPath();
        return path == null || path.length() <= 1 ? "postgres" : path.substring(1);
    }

    /**
     * The URL's parameters as Debezium settings: TLS and keep-alive as the connector's own {@code
     * database.*}, any other pgjdbc parameter passed through to the driver as {@code driver.*}.
     */
    Map<String, String> debeziumSettings() {
        Map<String, String> settings = new LinkedHashMap<>();
        parameters(jdbcUrl).forEach((name, value) -> {
            if (CONNECTOR_PARAMETERS.contains(name)) {
                settings.put("database." + name, value);
            } else if (!CREDENTIALS.contains(name)) {
                settings.put("driver." + name, value);
            }
        });
        return settings;
    }

    private static Map<String, String> parameters(String jdbcUrl) {
        Map<String, String> parameters = new LinkedHashMap<>();
        int query = jdbcUrl.indexOf('?');
        if (query < 0) {
            return parameters;
        }
        for (String pair : jdbcUrl.substring(query + 1).split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String name = decode(equals < 0 ? pair : pair.substring(0, equals));
            String value = equals < 0 ? "" : decode(pair.substring(equals + 1));
            parameters.put(name, value);
        }
        return parameters;
    }

    private static String decode(String text) {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
    }

    /** Never the password, neither the field nor a {@code password} or {@code sslpassword} in the URL. */
    @Override
    public String toString() {
        String url = jdbcUrl.replaceAll("(?i)([?&](?:ssl)?password=)[^&]*", "$1****");
        return "DatabaseAddress[jdbcUrl=" + url + ", username=" + username + ", password="
                + (password.isEmpty() ? "" : "****") + "]";
    }
}
