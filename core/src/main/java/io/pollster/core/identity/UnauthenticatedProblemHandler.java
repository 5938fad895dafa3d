package io.pollster.core.identity;

import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * Answers {@link UnauthenticatedException} as its problem in every service, whether or not the service
 * has a problem handler of its own (jobs alone has none; write-api's handles everything else).
 */
// first: a service's application-wide handler of Exception must not answer for it
@Order(Ordered.HIGHEST_PRECEDENCE)
@RestControllerAdvice
class UnauthenticatedProblemHandler {

    @ExceptionHandler(UnauthenticatedException.class)
    ResponseEntity<ProblemDetail> unauthenticated(UnauthenticatedException failure, HttpServletRequest request) {
        ProblemDetail problem = failure.getBody();
        problem.setInstance(URI.create(request.getRequestURI()));
        return ResponseEntity.status(failure.getStatusCode()).body(problem);
    }
}
