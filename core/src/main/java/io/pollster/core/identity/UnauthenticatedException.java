package io.pollster.core.identity;

import io.pollster.core.json.ProblemType;
import org.springframework.web.ErrorResponseException;

/**
 * A request needs a user and has none: 401 {@code unauthenticated}. An {@link ErrorResponseException},
 * so every service's problem handling (Spring MVC's own or a service's {@code
 * ResponseEntityExceptionHandler}) answers it with its problem body.
 */
public class UnauthenticatedException extends ErrorResponseException {

    public UnauthenticatedException(String detail) {
        super(ProblemType.UNAUTHENTICATED.status(), ProblemType.UNAUTHENTICATED.detail(detail), null);
    }
}
