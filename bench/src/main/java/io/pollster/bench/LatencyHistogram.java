package io.pollster.bench;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Latencies in 1 ms buckets up to a minute, safe to fill from many threads: what every benchmark's
 * latency line and chart is made of.
 */
public final class LatencyHistogram {

    public static final int MAX_MS = 60_000;

    private final AtomicLongArray buckets = new AtomicLongArray(MAX_MS + 1);

    public void add(long nanos) {
        buckets.incrementAndGet((int) Math.min(MAX_MS, Math.max(0, nanos / 1_000_000)));
    }

    public long count(int ms) {
        return buckets.get(ms);
    }

    public long total() {
        long total = 0;
        for (int ms = 0; ms <= MAX_MS; ms++) {
            total += buckets.get(ms);
        }
        return total;
    }

    /** The smallest bucket (ms) at or below which a share {@code p} of the samples lie; 0 when empty. */
    public long percentile(double p) {
        long total = total();
        long target = (long) Math.ceil(total * p);
        long seen = 0;
        for (int ms = 0; ms <= MAX_MS; ms++) {
            seen += buckets.get(ms);
            if (seen >= target && seen > 0) {
                return ms;
            }
        }
        return total == 0 ? 0 : MAX_MS;
    }

    /** "p50 … ms, p99 … ms, p99.9 … ms, max … ms", as the latency lines print it. */
    public String summary() {
        return String.format(
                "p50 %d ms, p99 %d ms, p99.9 %d ms, max %d ms",
                percentile(0.50), percentile(0.99), percentile(0.999), percentile(1.0));
    }
}
