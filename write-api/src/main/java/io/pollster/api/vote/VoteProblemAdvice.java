package io.pollster.api.vote;

import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * RFC 9457 answers of the vote endpoints, with the problem types of API.md. Scoped to
 * {@link VoteController}: write-api's global handler owns everything else (unknown paths, wrong
 * methods) and may take these over when it lands.
 */
@RestControllerAdvice(assignableTypes = VoteController.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
class VoteProblemAdvice {

    /** The base of every problem {@code type} (API.md: {@code …/problems/<slug>}). */
    static final String TYPE_BASE = "https://pollster.io/problems/";

    private final VoteMetrics metrics;

    VoteProblemAdvice(VoteMetrics metrics) {
        this.metrics = metrics;
    }

    @ExceptionHandler(VoteProblem.class)
    ResponseEntity<ProblemDetail> voteProblem(VoteProblem problem, HttpServletRequest request) {
        return answer(problem, request);
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<ProblemDetail> unreadable(HttpMessageNotReadableException e, HttpServletRequest request) {
        return answer(VoteProblem.malformed("The request body is not readable JSON of a vote."), request);
    }

    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ResponseEntity<ProblemDetail> mediaType(HttpMediaTypeNotSupportedException e, HttpServletRequest request) {
        VoteProblem problem = new VoteProblem(
                HttpStatus.UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "Unsupported media type",
                "Votes are sent as application/json.",
                java.util.List.of());
        return answer(problem, request);
    }

    private ResponseEntity<ProblemDetail> answer(VoteProblem problem, HttpServletRequest request) {
        if (VoteController.isVotePost(request)) {
            metrics.refused(problem.slug());
        }
        ProblemDetail body = ProblemDetail.forStatusAndDetail(problem.status(), problem.getMessage());
        body.setType(URI.create(TYPE_BASE + problem.slug()));
        body.setTitle(problem.title());
        body.setInstance(URI.create(request.getRequestURI()));
        if (!problem.errors().isEmpty()) {
            body.setProperty("errors", problem.errors());
        }
        return ResponseEntity.status(problem.status()).body(body);
    }
}
