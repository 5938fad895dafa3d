package io.pollster.cdc.engine;

import java.net.URI;

/** Where PostgreSQL is, from the application's JDBC URL: what Debezium's {@code database.*} settings need. */
record DatabaseAddress(String jdbcUrl, String username, String password) {

    DatabaseAddress {
        if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:postgresql://")) {
            throw new IllegalArgumentException("the CDC projector needs a jdbc:postgresql:// URL, got " + jdbcUrl);
        }
        password = password == null ? "" : password;
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
}
