/**
 * Shared contracts of every Pollster service: the Redis key schema, stream event and results records,
 * and the JSON shapes of docs/api.md. Services meet only through PostgreSQL and Redis, and agree on what
 * they find there through this module.
 */
package io.pollster.core;
