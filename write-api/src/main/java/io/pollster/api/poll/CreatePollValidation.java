package io.pollster.api.poll;

import io.pollster.api.problem.InvalidField;
import io.pollster.api.problem.ProblemException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

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
        Set<String> seen = new HashSet<>();
        for (int c = 0; c < choices.size(); c++) {
            String choicePath = path + ".choices[" + c + "]";
            String choice = choices.get(c);
            if (text(choicePath, choice, MAX_TEXT) && !seen.add(choice.strip())) {
                errors.add(new InvalidField(choicePath, "must differ from the other choices of the question"));
            }
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
