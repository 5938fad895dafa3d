package io.pollster.core;

import io.pollster.core.json.ProblemResponses;
import io.pollster.core.json.ProblemType;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.web.servlet.HandlerExceptionResolver;
import org.springframework.web.servlet.ModelAndView;

/**
 * The last word on a request that failed because PostgreSQL or Redis is out of reach ({@link StoreOutage}),
 * in every servlet service: 503 {@code unavailable} with {@code Retry-After}, as a problem (docs/api.md
 * "Errors"), never a bare 500. It runs after Spring MVC's own resolvers (order {@value #ORDER}), so a
 * service's {@code @ExceptionHandler} still answers first (write-api's handler answers outages the same
 * way); services without one (jobs' inbox, live-gateway's handshakes) are answered here. The problem is
 * written straight to the response, which also serves a handshake whose {@code Accept} (an event stream)
 * no message converter could satisfy. Any other failure is left to the resolvers after it: a bug stays a
 * 500.
 */
public final class StoreOutageResolver implements HandlerExceptionResolver, Ordered {

    /** After the {@code handlerExceptionResolver} composite of Spring MVC (order 0). */
    public static final int ORDER = 1;

    private static final Logger log = LoggerFactory.getLogger(StoreOutageResolver.class);

    @Override
    public ModelAndView resolveException(
            HttpServletRequest request, HttpServletResponse response, Object handler, Exception failure) {
        Optional<StoreOutage.Store> store = StoreOutage.of(failure);
        if (store.isEmpty() || response.isCommitted()) {
            return null;
        }
        log.warn(
                "{} {} failed: {} is out of reach: {}",
                request.getMethod(),
                request.getRequestURI(),
                store.get().displayName(),
                failure.toString());
        try {
            // a handshake may have set its 101 and Upgrade headers before the store failed it
            response.reset();
            response.setHeader(HttpHeaders.RETRY_AFTER, Integer.toString(StoreOutage.RETRY_AFTER_SECONDS));
            ProblemResponses.write(request, response, ProblemType.UNAVAILABLE, StoreOutage.detail(store.get()));
            return new ModelAndView();
        } catch (IOException | IllegalStateException clientGone) {
            log.debug("Could not answer {} with 503: {}", request.getRequestURI(), clientGone.toString());
            return null;
        }
    }

    @Override
    public int getOrder() {
        return ORDER;
    }
}
