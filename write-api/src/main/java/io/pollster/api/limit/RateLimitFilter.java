package io.pollster.api.limit;

import io.pollster.core.identity.CurrentUsers;
import io.pollster.core.json.ProblemResponses;
import io.pollster.core.json.ProblemType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.security.web.util.matcher.IpAddressMatcher;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Applies {@link LimitsProperties} to {@code POST /api/polls} and {@code POST /api/polls/{id}/votes}:
 * after authentication (the user is known), before Spring MVC reads the body, so a refused request
 * reaches neither the vote script nor PostgreSQL. The client address is the request's remote address,
 * which Tomcat's RemoteIpValve takes from {@code X-Forwarded-For} only when the request came through a
 * trusted proxy. The address bucket is spent first: a flood of requests from one address costs one
 * Redis call each and never touches the users' buckets.
 */
class RateLimitFilter extends OncePerRequestFilter {

    private static final Logger log = LoggerFactory.getLogger(RateLimitFilter.class);
    private static final Pattern VOTES = Pattern.compile("/api/polls/[^/]+/votes");

    private final RateLimits limits;
    private final List<IpAddressMatcher> exemptIps;
    private final Set<UUID> exemptUsers;

    RateLimitFilter(RateLimits limits, LimitsProperties properties) {
        this.limits = limits;
        this.exemptIps =
                properties.exemptIps().stream().map(IpAddressMatcher::new).toList();
        this.exemptUsers = Set.copyOf(properties.exemptUsers());
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !"POST".equals(request.getMethod()) || action(request) == null;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String action = action(request);
        String address = request.getRemoteAddr();
        Optional<UUID> user = CurrentUsers.current();
        boolean exempt = exemptIps.stream().anyMatch(range -> range.matches(address))
                || user.filter(exemptUsers::contains).isPresent();
        if (!exempt) {
            boolean vote = "votes".equals(action);
            OptionalLong wait;
            try {
                wait = limits.tryTake(vote ? RateLimits.Kind.VOTES_PER_IP : RateLimits.Kind.POLLS_PER_IP, address);
                if (wait.isEmpty() && user.isPresent()) {
                    wait = limits.tryTake(
                            vote ? RateLimits.Kind.VOTES_PER_USER : RateLimits.Kind.POLLS_PER_USER,
                            user.get().toString());
                }
            } catch (RuntimeException redisFailed) {
                log.warn("Rate limits unavailable (Redis): {}", redisFailed.toString());
                response.setHeader(HttpHeaders.RETRY_AFTER, "1");
                ProblemResponses.write(
                        request, response, ProblemType.UNAVAILABLE, "Redis cannot be reached; try again shortly");
                return;
            }
            if (wait.isPresent()) {
                long seconds = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(wait.getAsLong() + 999_999_999L));
                response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
                ProblemResponses.write(
                        request,
                        response,
                        ProblemType.RATE_LIMITED,
                        "Too many " + (vote ? "votes" : "new polls") + " from this "
                                + (user.isPresent() ? "user or address" : "address") + "; retry after " + seconds
                                + " s");
                return;
            }
        }
        chain.doFilter(request, response);
    }

    /** {@code polls} or {@code votes} for a limited path, else null. */
    private static String action(HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        if (path.equals("/api/polls")) {
            return "polls";
        }
        return VOTES.matcher(path).matches() ? "votes" : null;
    }
}
