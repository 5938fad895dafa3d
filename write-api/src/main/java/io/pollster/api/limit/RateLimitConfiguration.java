package io.pollster.api.limit;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Registers {@link RateLimitFilter} unless {@code pollster.limits.enabled=false}. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "pollster.limits.enabled", havingValue = "true", matchIfMissing = true)
class RateLimitConfiguration {

    /**
     * After Spring Security's filter chain (order -100 by default), which knows the user, and before
     * the DispatcherServlet reads any body.
     */
    static final int ORDER = 0;

    @Bean
    FilterRegistrationBean<RateLimitFilter> pollsterRateLimitFilter(RateLimits limits, LimitsProperties properties) {
        FilterRegistrationBean<RateLimitFilter> registration =
                new FilterRegistrationBean<>(new RateLimitFilter(limits, properties));
        registration.addUrlPatterns("/api/polls", "/api/polls/*");
        registration.setOrder(ORDER);
        return registration;
    }
}
