package io.pollster.jobs.notify;

import io.pollster.core.json.ProblemTypes;
import java.net.URI;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * The 401 of {@link NotificationsController}, scoped to it: write-api owns the application-wide
 * problem handler, and jobs deployed alone has no write-api.
 */
// first: an application-wide handler of Exception must not answer for this controller's 401
@Order(Ordered.HIGHEST_PRECEDENCE)
@RestControllerAdvice(assignableTypes = NotificationsController.class)
class NotificationsProblemHandler {

    static final URI UNAUTHENTICATED = ProblemTypes.of("unauthenticated");

    @ExceptionHandler(NotificationsController.UnauthenticatedException.class)
    ProblemDetail unauthenticated(NotificationsController.UnauthenticatedException e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.UNAUTHORIZED, e.getMessage());
        problem.setType(UNAUTHENTICATED);
        problem.setTitle("Unauthenticated");
        return problem;
    }
}
