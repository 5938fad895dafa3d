package io.pollster.core.identity;

import java.util.Optional;
import java.util.UUID;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;

/**
 * The authenticated user of the request being served, for code that runs before controllers (filters
 * such as the rate limits). Controllers take a {@link CurrentUser} parameter instead.
 */
public final class CurrentUsers {

    private CurrentUsers() {}

    /** The user the security filter chain authenticated, if any; its name is the user's UUID in both modes. */
    public static Optional<UUID> current() {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        if (authentication == null
                || authentication instanceof AnonymousAuthenticationToken
                || !authentication.isAuthenticated()) {
            return Optional.empty();
        }
        // both modes authenticate only a strict UUID (UserIdHeaderFilter, JwtIdentity)
        return Optional.of(UUID.fromString(authentication.getName()));
    }
}
