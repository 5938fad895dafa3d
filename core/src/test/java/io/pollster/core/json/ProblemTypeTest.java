package io.pollster.core.json;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.http.ProblemDetail;

class ProblemTypeTest {

    /** The slugs of API.md's "Errors" section, in its order. */
    private static final List<String> API_SLUGS = List.of(
            "validation",
            "malformed-request",
            "unauthenticated",
            "not-found",
            "poll-closed",
            "already-voted",
            "not-poll-owner",
            "payload-too-large",
            "unsupported-media-type",
            "method-not-allowed",
            "rate-limited",
            "results-hidden",
            "unavailable");

    @Test
    void everySlugOfTheContractHasExactlyOneTypeWithATitle() {
        for (String slug : API_SLUGS) {
            List<ProblemType> types = Arrays.stream(ProblemType.values())
                    .filter(type -> type.slug().equals(slug))
                    .toList();
            assertThat(types).as(slug).hasSize(1);
            assertThat(types.get(0).title()).as(slug).isNotBlank();
        }
        assertThat(Arrays.stream(ProblemType.values()).map(ProblemType::slug).collect(Collectors.toSet()))
                .isEqualTo(Set.copyOf(API_SLUGS));
    }

    @Test
    void titlesAreDistinctSoAClientCanTellTypesApartByEither() {
        assertThat(Arrays.stream(ProblemType.values()).map(ProblemType::title).distinct())
                .hasSize(ProblemType.values().length);
    }

    @Test
    void theStatusesOfTheContract() {
        assertThat(ProblemType.UNAUTHENTICATED.status().value()).isEqualTo(401);
        assertThat(ProblemType.RATE_LIMITED.status().value()).isEqualTo(429);
        assertThat(ProblemType.UNAVAILABLE.status().value()).isEqualTo(503);
        assertThat(ProblemType.RESULTS_HIDDEN.status().value()).isEqualTo(403);
        assertThat(ProblemType.NOT_POLL_OWNER.status().value()).isEqualTo(403);
    }

    @Test
    void aProblemDetailCarriesTypeTitleAndStatus() {
        ProblemDetail problem = ProblemType.NOT_FOUND.detail("No poll x.");

        assertThat(problem.getType()).hasToString("https://pollster.io/problems/not-found");
        assertThat(problem.getTitle()).isEqualTo("Not found");
        assertThat(problem.getStatus()).isEqualTo(404);
        assertThat(ProblemType.ofUri(problem.getType())).contains(ProblemType.NOT_FOUND);
    }
}
