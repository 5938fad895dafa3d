/**
 * Benchmarks: programs that drive a running Pollster and print figures (requests/s, latency
 * percentiles, ingest rows/s). Targets are shown here, never asserted in tests.
 */
package io.pollster.bench;
