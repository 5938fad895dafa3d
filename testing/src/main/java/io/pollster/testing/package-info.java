/**
 * Test infrastructure: real PostgreSQL 17 ({@code wal_level=logical}) and Redis 7 for integration
 * tests. Testcontainers provides them when a Docker engine answers, the embedded runtime otherwise;
 * the tests are the same either way.
 */
package io.pollster.testing;
