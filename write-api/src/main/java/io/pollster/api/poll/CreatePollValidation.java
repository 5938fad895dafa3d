package io.pollster.api.poll;

import io.pollster.api.problem.InvalidField;
import io.pollster.api.problem.ProblemException;
import io.pollster.core.poll.ResultsVisibility;
import io.pollster.core.poll.Voters;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The rules of docs/api.md for a new poll, checked all at once so the client learns every invalid field in one
 * answer. Lengths count characters (code points), as PostgreSQL's {@code char_length} does, not UTF-16
 * units. Field paths are the JSON names: {@code questions[0].choices[1]}.
 */
final class CreatePollValidation {

    static final int MAX_TITLE = 200;
    static final int MAX_DESCRIPTION = 2_000;
    static final int MAX_QUESTIONS = 20;
    static final int MIN_CHOICES = 2;
    static final int MAX_CHOICES = 20;
    static final int MAX_TEXT = 500;

    private final List<InvalidField> errors = new ArrayList<>();

    private CreatePollValidation() {}

    /** Throws a {@code validation} problem listing every broken rule. */
    static void check(CreatePollRequest request, Instant now) {
        CreatePollValidation validation = new CreatePollValidation();
        validation.poll(request, now);
        if (!validation.errors.isEmpty()) {
            throw ProblemException.invalid(validation.errors);
        }
    }

    private void poll(CreatePollRequest request, Instant now) {
        text("title", request.title(), MAX_TITLE);
        if (request.description() != null && length(request.description()) > MAX_DESCRIPTION) {
            errors.add(new InvalidField("description", "must be at most " + MAX_DESCRIPTION + " characters"));
        }
        if (request.closesAt() != null && !request.closesAt().isAfter(now)) {
            errors.add(new InvalidField("closes_at", "must be in the future"));
        }
        setting("voters", request.voters(), Voters.values(), Voters::value);
        setting(
                "results_visibility",
                request.resultsVisibility(),
                ResultsVisibility.values(),
                ResultsVisibility::value);
        List<CreatePollRequest.QuestionRequest> questions = request.questions();
        if (questions == null || questions.isEmpty() || questions.size() > MAX_QUESTIONS) {
            errors.add(new InvalidField("questions", "must have 1 to " + MAX_QUESTIONS + " questions"));
            if (questions == null) {
                return;
            }
        }
        for (int q = 0; q < questions.size(); q++) {
            question("questions[" + q + "]", questions.get(q));
        }
    }

    private void question(String path, CreatePollRequest.QuestionRequest question) {
        if (question == null) {
            errors.add(new InvalidField(path, "must be a question"));
            return;
        }
        text(path + ".text", question.text(), MAX_TEXT);
        List<String> choices = question.choices();
        if (choices == null || choices.size() < MIN_CHOICES || choices.size() > MAX_CHOICES) {
            errors.add(new InvalidField(
                    path + ".choices", "must have " + MIN_CHOICES + " to " + MAX_CHOICES + " choices"));
            if (choices == null) {
                return;
            }
        }
        choiceBounds(path, question, choices.size());
        Set<String> seen = new HashSet<>();
        for (int c = 0; c < choices.size(); c++) {
            String choicePath = path + ".choices[" + c + "]";
            String choice = choices.get(c);
            if (text(choicePath, choice, MAX_TEXT) && !seen.add(choice.strip())) {
                errors.add(new InvalidField(choicePath, "must differ from the other choices of the question"));
            }
        }
    }

    /** An optional setting: absent takes its default, present must be one of the values. */
    private <T> void setting(String path, String value, T[] values, Function<T, String> json) {
        if (value == null) {
            return;
        }
        List<String> allowed = Arrays.stream(values).map(json).toList();
        if (!allowed.contains(value)) {
            errors.add(
                    new InvalidField(path, "must be one of " + allowed.stream().collect(Collectors.joining(", "))));
        }
    }

    /** 1 ≤ min_choices ≤ max_choices ≤ the number of choices. */
    private void choiceBounds(String path, CreatePollRequest.QuestionRequest question, int choices) {
        int min = question.minChoicesOrDefault();
        int max = question.maxChoicesOrDefault();
        if (min < 1 || min > choices) {
            errors.add(new InvalidField(
                    path + ".min_choices", "must be between 1 and the number of choices (" + choices + ")"));
        }
        if (max < 1 || max > choices) {
            errors.add(new InvalidField(
                    path + ".max_choices", "must be between 1 and the number of choices (" + choices + ")"));
        }
        if (min >= 1 && max >= 1 && max < min) {
            errors.add(new InvalidField(path + ".max_choices", "must be at least min_choices (" + min + ")"));
        }
    }

    /** Checks a required text; true when it is valid. */
    private boolean text(String path, String text, int max) {
        if (text == null || text.isBlank()) {
            errors.add(new InvalidField(path, "must not be blank"));
            return false;
        }
        if (length(text) > max) {
            errors.add(new InvalidField(path, "must be at most " + max + " characters"));
            return false;
        }
        return true;
    }

    private static int length(String text) {
        return text.codePointCount(0, text.length());
    }
}
