/**
 * How jobs run: consumer groups on the sharded Redis streams (acknowledged only after the durable
 * effect, stale entries reclaimed from dead consumers) and periodic jobs on their own threads.
 */
package io.pollster.jobs.runtime;
