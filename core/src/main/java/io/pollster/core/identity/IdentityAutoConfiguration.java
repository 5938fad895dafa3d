package io.pollster.core.identity;

import io.pollster.core.json.ProblemResponses;
import io.pollster.core.json.ProblemType;
import java.util.List;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Lazy;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * The one security configuration of every Pollster service (write-api, live-gateway, jobs,
 * cdc-projector, standalone): who the user is, in the mode of {@link IdentityProperties}. It only
 * authenticates: every path is open to anonymous requests at this level, and each endpoint that needs a
 * user says so with a {@link CurrentUser} parameter. Credentials that are present but wrong (a
 * malformed {@code X-User-Id}, a bearer token that does not verify) are answered 401 {@code
 * unauthenticated} here, before anything runs. Stateless: no session, no CSRF token (no cookie is ever
 * an authority), no login page.
 */
@AutoConfiguration(
        beforeName = {
            "org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration",
            "org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration",
            "org.springframework.boot.security.autoconfigure.actuate.web.servlet.ManagementWebSecurityAutoConfiguration",
            "org.springframework.boot.security.oauth2.server.resource.autoconfigure.servlet.OAuth2ResourceServerAutoConfiguration"
        })
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@EnableConfigurationProperties(IdentityProperties.class)
public class IdentityAutoConfiguration {

    @Bean
    SecurityFilterChain pollsterSecurityFilterChain(HttpSecurity http, IdentityProperties identity) throws Exception {
        ProblemAuthenticationEntryPoint unauthenticated = new ProblemAuthenticationEntryPoint(identity.mode());
        http.csrf(AbstractHttpConfigurer::disable)
                .formLogin(AbstractHttpConfigurer::disable)
                .httpBasic(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable)
                .requestCache(AbstractHttpConfigurer::disable)
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .exceptionHandling(exceptions -> exceptions.authenticationEntryPoint(unauthenticated))
                .authorizeHttpRequests(requests -> requests.anyRequest().permitAll());
        if (identity.mode() == IdentityProperties.Mode.JWT) {
            // built here, so a missing or short key fails the start-up with a clear message
            var decoder = JwtIdentity.decoder(identity.jwt());
            http.oauth2ResourceServer(server -> server.bearerTokenResolver(JwtIdentity.bearerTokenResolver())
                    .authenticationEntryPoint(unauthenticated)
                    .jwt(jwt -> jwt.decoder(decoder)));
        } else {
            http.addFilterBefore(new UserIdHeaderFilter(unauthenticated), AnonymousAuthenticationFilter.class);
        }
        return http.build();
    }

    /**
     * Anonymous voters' ids ({@code voters} = {@code device} | {@code ip}). Lazy: built when a service that
     * tells voters apart (write-api, live-gateway) wires it at start-up, which then refuses to start without
     * {@code pollster.identity.anonymous-secret}, with a clear message; services that never see a voter
     * (cdc-projector, jobs) need no secret.
     */
    @Bean
    @Lazy
    VoterIds pollsterVoterIds(IdentityProperties identity) {
        return new VoterIds(AnonymousSecret.of(identity));
    }

    /**
     * Spring Security's firewall refuses suspicious URLs (an encoded slash, a {@code ;}, {@code ..})
     * before any service sees them; answer those in the API's format too, not with a bare 400.
     */
    @Bean
    RequestRejectedHandler pollsterRequestRejectedHandler() {
        return (request, response, rejected) -> ProblemResponses.write(
                request, response, ProblemType.MALFORMED_REQUEST, "The request's URL is not acceptable");
    }

    @Bean
    UnauthenticatedProblemHandler pollsterUnauthenticatedProblemHandler() {
        return new UnauthenticatedProblemHandler();
    }

    @Bean
    WebMvcConfigurer pollsterCurrentUserArgument(IdentityProperties identity) {
        return new WebMvcConfigurer() {
            @Override
            public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
                resolvers.add(new CurrentUserResolver(identity.mode()));
            }
        };
    }
}
