package io.pollster.core.json;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.http.ProblemDetail;

class ProblemTypeTest {

    /** The contract, carried in the repository. */
    private static final Path API_MD = Path.of("..", "docs", "api.md");

    /** The backticked slugs after "Slugs:" in docs/api.md's "Errors" section. */
    static List<String> contractSlugs() throws IOException {
        String api = Files.readString(API_MD);
        int errors = api.indexOf("\n## Errors");
        String section = api.substring(errors, api.indexOf("\n## ", errors + 1));
        String slugs = section.substring(section.indexOf("Slugs:"), section.indexOf("Unknown paths"));
        List<String> found = new ArrayList<>();
        Matcher slug = Pattern.compile("`([a-z-]+)`").matcher(slugs);
        while (slug.find()) {
            found.add(slug.group(1));
        }
        return found;
    }

    @Test
    void everySlugOfTheContractHasExactlyOneTypeWithATitle() throws IOException {
        List<String> apiSlugs = contractSlugs();
        assertThat(apiSlugs).contains("validation", "unauthenticated", "rate-limited", "unavailable");
        for (String slug : apiSlugs) {
            List<ProblemType> types = Arrays.stream(ProblemType.values())
                    .filter(type -> type.slug().equals(slug))
                    .toList();
            assertThat(types).as(slug).hasSize(1);
            assertThat(types.get(0).title()).as(slug).isNotBlank();
        }
        assertThat(Arrays.stream(ProblemType.values()).map(ProblemType::slug).collect(Collectors.toSet()))
                .isEqualTo(Set.copyOf(apiSlugs));
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
