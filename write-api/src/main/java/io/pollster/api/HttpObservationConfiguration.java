package io.pollster.api;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.observation.SecurityObservationSettings;

/**
 * Which observations a request of write-api makes. Spring Security observes every filter of its chain, each
 * authentication and each authorization when an observation registry exists (actuator brings one): on the
 * vote endpoint that was a tenth of the server's CPU per request, in timers and long-task timers that no
 * dashboard or alert of {@code deploy/} reads. They are off; {@code http.server.requests} (the
 * dashboards' request rates and the 5xx alert) and Lettuce's command latencies stay.
 */
@Configuration(proxyBeanMethods = false)
class HttpObservationConfiguration {

    @Bean
    SecurityObservationSettings pollsterNoSecurityObservations() {
        return SecurityObservationSettings.noObservations();
    }
}
