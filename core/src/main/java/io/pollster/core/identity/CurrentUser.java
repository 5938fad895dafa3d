package io.pollster.core.identity;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a controller parameter as the authenticated user: a {@code UUID}, or an {@code Optional<UUID>}
 * where a user is optional. It is the one way a controller of any service learns its user, whatever
 * the identity mode ({@link IdentityProperties}): the security filter chain has authenticated the
 * request, and a required user that is missing is answered 401 {@code unauthenticated} before the
 * handler runs.
 */
@Target(ElementType.PARAMETER)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface CurrentUser {

    /** The header carrying the user id in {@code header} mode, set upstream by authentication. */
    String HEADER = "X-User-Id";
}
