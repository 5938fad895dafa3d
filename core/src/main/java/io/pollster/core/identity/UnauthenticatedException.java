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

    /** A request that needs a user came without one, in the words of the identity mode. */
    public static UnauthenticatedException noUser(IdentityProperties.Mode mode) {
        return new UnauthenticatedException(
                mode == IdentityProperties.Mode.JWT
                        ? "A bearer token is required (Authorization: Bearer <JWT>)"
                        : "Header " + CurrentUser.HEADER + " is missing");
    }
}
