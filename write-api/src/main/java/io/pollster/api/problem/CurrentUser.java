package io.pollster.api.problem;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a {@code UUID} controller parameter as the authenticated user, taken from the
 * {@code X-User-Id} header (API.md "Identity"). A request without the header, or with a value that is
 * not a UUID, is answered 401 {@code unauthenticated} before the handler runs. The OpenAPI description
 * documents the header and the 401 on every operation that has such a parameter.
 */
@Target(ElementType.PARAMETER)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface CurrentUser {

    /** The header carrying the user id, set upstream by authentication. */
    String HEADER = "X-User-Id";
}
