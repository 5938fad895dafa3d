package io.pollster.core.identity;

import io.pollster.core.poll.PollDefinitions;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.authentication.preauth.PreAuthenticatedAuthenticationToken;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * {@code header} mode: the user a trusted gateway put in {@code X-User-Id}. A request without the header
 * stays anonymous (public endpoints serve it, the others answer 401); one whose header is not a UUID is
 * answered 401 here, whatever it asked for.
 */
final class UserIdHeaderFilter extends OncePerRequestFilter {

    private final AuthenticationEntryPoint unauthenticated;

    UserIdHeaderFilter(AuthenticationEntryPoint unauthenticated) {
        this.unauthenticated = unauthenticated;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader(CurrentUser.HEADER);
        if (header == null || header.isBlank()) {
            chain.doFilter(request, response);
            return;
        }
        // strict: UUID.fromString alone accepts short forms such as "1-1-1-1-1"
        Optional<UUID> user = PollDefinitions.parseUuid(header.trim());
        if (user.isEmpty()) {
            unauthenticated.commence(
                    request, response, new BadCredentialsException("Header " + CurrentUser.HEADER + " is not a UUID"));
            return;
        }
        SecurityContext context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(
                new PreAuthenticatedAuthenticationToken(user.get().toString(), null, List.of()));
        SecurityContextHolder.setContext(context);
        try {
            chain.doFilter(request, response);
        } finally {
            SecurityContextHolder.clearContext();
        }
    }
}
