/** The Redis key schema and the shard function, the one home of every key name. */
package io.pollster.core.redis;
