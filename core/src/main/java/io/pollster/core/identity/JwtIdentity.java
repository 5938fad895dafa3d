package io.pollster.core.identity;

import io.pollster.core.poll.PollDefinitions;
import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.server.resource.web.BearerTokenResolver;
import org.springframework.security.oauth2.server.resource.web.DefaultBearerTokenResolver;

/**
 * {@code jwt} mode: how a bearer token is found and verified. A token must be signed with the
 * configured key (an unsigned {@code alg: none} token never verifies), carry an {@code exp} in the
 * future and a {@code sub} that is a UUID: the user.
 */
final class JwtIdentity {

    /** HS256 needs a key of at least 256 bits (RFC 7518 3.2). */
    static final int MIN_SECRET_BYTES = 32;

    private JwtIdentity() {}

    static NimbusJwtDecoder decoder(IdentityProperties.Jwt settings) {
        boolean hasSecret = settings.secret() != null && !settings.secret().isBlank();
        boolean hasJwks = settings.jwksUri() != null;
        if (hasSecret == hasJwks) {
            throw new IllegalStateException("pollster.identity.mode=jwt needs exactly one of "
                    + "pollster.identity.jwt.jwks-uri and pollster.identity.jwt.secret");
        }
        NimbusJwtDecoder decoder;
        if (hasSecret) {
            byte[] secret = settings.secret().getBytes(StandardCharsets.UTF_8);
            if (secret.length < MIN_SECRET_BYTES) {
                throw new IllegalStateException(
                        "pollster.identity.jwt.secret must be at least " + MIN_SECRET_BYTES + " bytes for HS256");
            }
            decoder = NimbusJwtDecoder.withSecretKey(new SecretKeySpec(secret, "HmacSHA256"))
                    .macAlgorithm(MacAlgorithm.HS256)
                    .build();
        } else {
            decoder = NimbusJwtDecoder.withJwkSetUri(settings.jwksUri().toString())
                    .jwsAlgorithms(algorithms -> {
                        algorithms.add(SignatureAlgorithm.RS256);
                        algorithms.add(SignatureAlgorithm.ES256);
                    })
                    .build();
        }
        decoder.setJwtValidator(validator(settings.clockSkew()));
        return decoder;
    }

    static OAuth2TokenValidator<Jwt> validator(Duration clockSkew) {
        return JwtValidators.createDefaultWithValidators(
                new JwtTimestampValidator(clockSkew), JwtIdentity::hasExpiry, JwtIdentity::subjectIsUserId);
    }

    /** The timestamp validator checks {@code exp} only when present; docs/api.md wants it enforced. */
    private static OAuth2TokenValidatorResult hasExpiry(Jwt jwt) {
        return jwt.getExpiresAt() != null
                ? OAuth2TokenValidatorResult.success()
                : invalid("The token has no exp claim");
    }

    private static OAuth2TokenValidatorResult subjectIsUserId(Jwt jwt) {
        return PollDefinitions.parseUuid(jwt.getSubject()).isPresent()
                ? OAuth2TokenValidatorResult.success()
                : invalid("The token's sub claim is not a UUID");
    }

    private static OAuth2TokenValidatorResult invalid(String description) {
        return OAuth2TokenValidatorResult.failure(new OAuth2Error(OAuth2ErrorCodes.INVALID_TOKEN, description, null));
    }

    /**
     * {@code Authorization: Bearer} everywhere; on {@code /ws/**} and {@code /sse/**} also the {@code
     * access_token} query parameter, since browsers' WebSocket and EventSource cannot set headers.
     */
    static BearerTokenResolver bearerTokenResolver() {
        DefaultBearerTokenResolver headerOnly = new DefaultBearerTokenResolver();
        DefaultBearerTokenResolver headerOrQuery = new DefaultBearerTokenResolver();
        headerOrQuery.setAllowUriQueryParameter(true);
        return request -> (isLive(request) ? headerOrQuery : headerOnly).resolve(request);
    }

    private static boolean isLive(HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        return path.startsWith("/ws/") || path.startsWith("/sse/");
    }
}
