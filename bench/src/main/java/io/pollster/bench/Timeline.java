package io.pollster.bench;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLongArray;

/** Events counted per second since a start (up to an hour), safe to fill from many threads: throughput over time. */
public final class Timeline {

    private static final int MAX_SECONDS = 3600;

    private final long startNanos;
    private final AtomicLongArray perSecond = new AtomicLongArray(MAX_SECONDS);

    public Timeline(long startNanos) {
        this.startNanos = startNanos;
    }

    /** Counts one event at {@code System.nanoTime()} value {@code atNanos}. */
    public void add(long atNanos) {
        long second = (atNanos - startNanos) / 1_000_000_000L;
        if (second >= 0 && second < MAX_SECONDS) {
            perSecond.incrementAndGet((int) second);
        }
    }

    /** Events in each second from the start to the last second that saw one. */
    public long[] perSecond() {
        long[] counts = new long[MAX_SECONDS];
        int last = -1;
        for (int s = 0; s < MAX_SECONDS; s++) {
            counts[s] = perSecond.get(s);
            if (counts[s] > 0) {
                last = s;
            }
        }
        return Arrays.copyOf(counts, last + 1);
    }
}
