package io.pollster.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PromQlMetricNamesTest {

    @Test
    void aHistogramQuantileReadsTheBucketSeriesOnly() {
        assertThat(
                        PromQlMetricNames.of(
                                "histogram_quantile(0.99, sum by (le) (rate(cdc_publish_seconds_bucket{job=~\"$job\"}[$__rate_interval])))"))
                .containsExactly("cdc_publish_seconds_bucket");
    }

    @Test
    void bothSidesOfABinaryOperationAreRead() {
        assertThat(PromQlMetricNames.of(
                        "sum by (job) (rate(a_sum[5m])) / on (job) group_left sum by (job) (rate(a_count[5m])) > 0.9"))
                .containsExactly("a_count", "a_sum");
        assertThat(PromQlMetricNames.of("max by (job, instance) (live_bytes / max_bytes) > 1e9"))
                .containsExactly("live_bytes", "max_bytes");
    }

    @Test
    void labelValuesWithBracesOperatorsOrKeywordsAreNoMetrics() {
        assertThat(PromQlMetricNames.of(
                        "sum by (status) (rate(http_count{uri=\"/api/polls/{pollId}/votes\", method!~'GET|or'}[1m]))"))
                .containsExactly("http_count");
        assertThat(PromQlMetricNames.of("up{job=~\"write-api|jobs\"} == 0")).containsExactly("up");
    }

    @Test
    void functionsAndNumbersAreNoMetrics() {
        assertThat(
                        PromQlMetricNames.of(
                                "count((time() - last_commit_seconds offset 5m) < 60) or vector(0) or absent(last_commit_seconds)"))
                .containsExactly("last_commit_seconds");
        assertThat(PromQlMetricNames.of("max(drift{quantile=\"0.99\"}) > bool x2"))
                .containsExactly("drift", "x2");
    }
}
