package io.pollster.jobs.milestone;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class MilestoneThresholdsTest {

    private final MilestoneThresholds thresholds = new MilestoneThresholds(List.of(1000L, 100L, 10_000L));

    @Test
    void aTotalReachesTheGreatestThresholdAtOrBelowIt() {
        assertThat(thresholds.reachedBy(99)).isEmpty();
        assertThat(thresholds.reachedBy(100)).hasValue(100);
        assertThat(thresholds.reachedBy(999)).hasValue(100);
        assertThat(thresholds.reachedBy(25_000)).hasValue(10_000);
    }

    @Test
    void messageFormatsTheThresholdWithThousandsSeparators() {
        assertThat(MilestoneThresholds.message(100)).isEqualTo("Your poll just hit 100 votes!");
        assertThat(MilestoneThresholds.message(10_000)).isEqualTo("Your poll just hit 10,000 votes!");
        assertThat(MilestoneThresholds.message(1_000_000)).isEqualTo("Your poll just hit 1,000,000 votes!");
    }
}
