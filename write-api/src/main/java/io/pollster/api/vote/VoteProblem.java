package io.pollster.api.vote;

import java.util.List;
import org.springframework.http.HttpStatus;

/**
 * A refused vote request, carrying what its RFC 9457 answer needs: the status, the API.md slug and the
 * field errors of a validation failure.
 */
class VoteProblem extends RuntimeException {

    private final HttpStatus status;
    private final String slug;
    private final String title;
    private final List<FieldProblem> errors;

    VoteProblem(HttpStatus status, String slug, String title, String detail, List<FieldProblem> errors) {
        super(detail, null, false, false);
        this.status = status;
        this.slug = slug;
        this.title = title;
        this.errors = List.copyOf(errors);
    }

    static VoteProblem unauthenticated() {
        return new VoteProblem(
                HttpStatus.UNAUTHORIZED,
                "unauthenticated",
                "Unauthenticated",
                "The X-User-Id header is missing or not a UUID.",
                List.of());
    }

    static VoteProblem notFound(String what) {
        return new VoteProblem(HttpStatus.NOT_FOUND, "not-found", "Not found", what, List.of());
    }

    static VoteProblem pollClosed() {
        return new VoteProblem(
                HttpStatus.CONFLICT, "poll-closed", "Poll closed", "This poll is closed to votes.", List.of());
    }

    static VoteProblem alreadyVoted(String questionId) {
        return new VoteProblem(
                HttpStatus.CONFLICT,
                "already-voted",
                "Already voted",
                "You have already answered question " + questionId + "; no answer of this request was counted.",
                List.of());
    }

    /** 400: the request is readable JSON but not a well-formed vote. */
    static VoteProblem invalid(List<FieldProblem> errors) {
        return new VoteProblem(
                HttpStatus.BAD_REQUEST, "validation", "Invalid vote", "The vote request is not valid.", errors);
    }

    /** 422: a well-formed vote that does not fit this poll, or an Idempotency-Key reused with another body. */
    static VoteProblem unprocessable(String detail, List<FieldProblem> errors) {
        return new VoteProblem(HttpStatus.UNPROCESSABLE_CONTENT, "validation", "Invalid vote", detail, errors);
    }

    static VoteProblem malformed(String detail) {
        return new VoteProblem(HttpStatus.BAD_REQUEST, "malformed-request", "Malformed request", detail, List.of());
    }

    HttpStatus status() {
        return status;
    }

    String slug() {
        return slug;
    }

    String title() {
        return title;
    }

    List<FieldProblem> errors() {
        return errors;
    }

    /** One entry of the problem's {@code errors}. */
    record FieldProblem(String field, String message) {}
}
