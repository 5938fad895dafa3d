/**
 * Embedded PostgreSQL 17 (zonky, {@code wal_level=logical}) and Redis 7 (org.signal) for the standalone
 * jar and for tests. {@link io.pollster.embedded.EmbeddedServersInitializer} starts them before the
 * application context, unless the user points Pollster at external servers.
 */
package io.pollster.embedded;
