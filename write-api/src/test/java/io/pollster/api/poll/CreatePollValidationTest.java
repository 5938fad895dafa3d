package io.pollster.api.poll;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.pollster.api.problem.InvalidField;
import io.pollster.api.problem.ProblemException;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class CreatePollValidationTest {

    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private static final List<String> THREE = List.of("a", "b", "c");

    @Test
    void absentSettingsAreValidAndTakeTheDefaults() {
        CreatePollRequest request = poll(null, null, new CreatePollRequest.QuestionRequest("q", THREE));

        assertThatCode(() -> CreatePollValidation.check(request, NOW)).doesNotThrowAnyException();
        assertThat(request.questions().get(0).minChoicesOrDefault()).isEqualTo(1);
        assertThat(request.questions().get(0).maxChoicesOrDefault()).isEqualTo(1);
    }

    @Test
    void everyKnownSettingIsValid() {
        for (String voters : List.of("user", "device", "ip")) {
            for (String visibility : List.of("always", "after_vote", "after_close")) {
                CreatePollRequest request = poll(voters, visibility, question(1, 3));
                assertThatCode(() -> CreatePollValidation.check(request, NOW))
                        .as(voters + ", " + visibility)
                        .doesNotThrowAnyException();
            }
        }
    }

    @Test
    void unknownSettingsAreValidationErrorsNamingTheirField() {
        assertThat(errors(poll("users", null, question(1, 1)))).containsExactly("voters");
        assertThat(errors(poll(null, "never", question(1, 1)))).containsExactly("results_visibility");
        // values are exact: no case folding
        assertThat(errors(poll("USER", "Always", question(1, 1)))).containsExactly("voters", "results_visibility");
    }

    @Test
    void choiceBoundsMustLieBetweenOneAndTheNumberOfChoices() {
        assertThat(errors(poll(null, null, question(1, 3)))).isEmpty();
        assertThat(errors(poll(null, null, question(3, 3)))).isEmpty();
        assertThat(errors(poll(null, null, question(2, 2)))).isEmpty();

        assertThat(errors(poll(null, null, question(0, 2)))).containsExactly("questions[0].min_choices");
        assertThat(errors(poll(null, null, question(-1, 1)))).containsExactly("questions[0].min_choices");
        assertThat(errors(poll(null, null, question(1, 4)))).containsExactly("questions[0].max_choices");
        assertThat(errors(poll(null, null, question(1, 0)))).containsExactly("questions[0].max_choices");
        assertThat(errors(poll(null, null, question(3, 2)))).containsExactly("questions[0].max_choices");
        assertThat(errors(poll(null, null, question(4, 4))))
                .containsExactly("questions[0].min_choices", "questions[0].max_choices");
    }

    @Test
    void aMinimumAboveTheDefaultMaximumNeedsAMaximum() {
        // max_choices absent is 1, so min 2 alone is a range that cannot be met
        CreatePollRequest request = poll(null, null, new CreatePollRequest.QuestionRequest("q", THREE, 2, null));

        assertThat(errors(request)).containsExactly("questions[0].max_choices");
    }

    @Test
    void boundsAreCheckedPerQuestionWithTheirPath() {
        CreatePollRequest request = poll(null, null, question(1, 3), question(1, 9));

        assertThat(errors(request)).containsExactly("questions[1].max_choices");
    }

    private static CreatePollRequest.QuestionRequest question(int min, int max) {
        return new CreatePollRequest.QuestionRequest("q", THREE, min, max);
    }

    private static CreatePollRequest poll(
            String voters, String visibility, CreatePollRequest.QuestionRequest... questions) {
        return new CreatePollRequest("t", null, null, voters, visibility, List.of(questions));
    }

    private static List<String> errors(CreatePollRequest request) {
        try {
            CreatePollValidation.check(request, NOW);
            return List.of();
        } catch (ProblemException problem) {
            return problem.errors().stream().map(InvalidField::field).toList();
        }
    }
}
