package io.pollster.core.identity;

import io.pollster.core.json.ProblemResponses;
import io.pollster.core.json.ProblemType;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.server.resource.web.BearerTokenAuthenticationEntryPoint;
import org.springframework.security.web.AuthenticationEntryPoint;

/**
 * Every authentication failure of the filter chain (a malformed {@code X-User-Id}, a token that does
 * not verify) as 401 {@code unauthenticated} in the API's problem format, instead of Spring Security's
 * bare 401. In {@code jwt} mode it also sets RFC 6750's {@code WWW-Authenticate: Bearer …}.
 */
final class ProblemAuthenticationEntryPoint implements AuthenticationEntryPoint {

    private final AuthenticationEntryPoint bearerChallenge; // null in header mode

    ProblemAuthenticationEntryPoint(IdentityProperties.Mode mode) {
        this.bearerChallenge = mode == IdentityProperties.Mode.JWT ? new BearerTokenAuthenticationEntryPoint() : null;
    }

    @Override
    public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException failure)
            throws IOException {
        if (response.isCommitted()) {
            return;
        }
        if (bearerChallenge != null) {
            try {
                bearerChallenge.commence(request, response, failure);
            } catch (jakarta.servlet.ServletException e) {
                throw new IOException(e);
            }
        }
        ProblemResponses.write(request, response, ProblemType.UNAUTHENTICATED, detail(failure));
    }

    private static String detail(AuthenticationException failure) {
        String message = failure.getMessage();
        return message == null || message.isBlank() ? "The request's credentials are not valid" : message;
    }
}
