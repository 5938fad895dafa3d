package io.pollster.jobs.milestone;

import java.text.NumberFormat;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

/** Which threshold a total reached, and how a notification says so. */
final class MilestoneThresholds {

    private final List<Long> ascending;

    MilestoneThresholds(List<Long> thresholds) {
        this.ascending = thresholds.stream().sorted().distinct().toList();
    }

    /**
     * The greatest threshold at or below {@code totalVotes}. Only the greatest: a total that jumped past
     * several thresholds at once is worth one notification, not a burst of stale ones.
     */
    OptionalLong reachedBy(long totalVotes) {
        OptionalLong reached = OptionalLong.empty();
        for (long threshold : ascending) {
            if (threshold <= totalVotes) {
                reached = OptionalLong.of(threshold);
            }
        }
        return reached;
    }

    static String message(long threshold) {
        return "Your poll just hit "
                + NumberFormat.getIntegerInstance(Locale.US).format(threshold) + " votes!";
    }
}
