package io.pollster.topology;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.UUID;

/**
 * How a client proves who it is to the services behind the load balancer, in the mode the compose
 * environment sets ({@code POLLSTER_IDENTITY_MODE}, docs/api.md "Identity").
 */
public sealed interface Identity {

    /** Makes {@code request} come from {@code user}. */
    HttpRequest.Builder as(UUID user, HttpRequest.Builder request);

    /**
     * Makes {@code request} come from an operator, who may read health details (README "Operations":
     * a token whose {@code scope} has {@code operations}); header mode has no such caller.
     */
    HttpRequest.Builder asOperator(HttpRequest.Builder request);

    /** The mode's name, as in {@code pollster.identity.mode}. */
    String mode();

    /** The identity of a service's environment (header mode when it sets none). */
    static Identity of(Map<String, String> environment) {
        String mode = environment.getOrDefault("POLLSTER_IDENTITY_MODE", "header");
        return switch (mode) {
            case "header" -> new Header();
            case "jwt" -> new Jwt(environment.get("POLLSTER_IDENTITY_JWT_SECRET"));
            default -> throw new IllegalArgumentException("unknown pollster.identity.mode " + mode);
        };
    }

    /** The user as {@code X-User-Id}, as a trusted gateway would set it. */
    record Header() implements Identity {
        @Override
        public HttpRequest.Builder as(UUID user, HttpRequest.Builder request) {
            return request.header("X-User-Id", user.toString());
        }

        @Override
        public HttpRequest.Builder asOperator(HttpRequest.Builder request) {
            return request;
        }

        @Override
        public String mode() {
            return "header";
        }
    }

    /** An HS256 bearer token signed with the services' secret; the user is its {@code sub}. */
    record Jwt(String secret) implements Identity {

        public Jwt {
            if (secret == null || secret.isBlank()) {
                throw new IllegalArgumentException("jwt identity without POLLSTER_IDENTITY_JWT_SECRET");
            }
        }

        @Override
        public HttpRequest.Builder as(UUID user, HttpRequest.Builder request) {
            return request.header("Authorization", "Bearer " + token(user));
        }

        @Override
        public HttpRequest.Builder asOperator(HttpRequest.Builder request) {
            return request.header("Authorization", "Bearer " + token(UUID.randomUUID(), "operations"));
        }

        public String token(UUID user) {
            return token(user, null);
        }

        private String token(UUID user, String scope) {
            Instant now = Instant.now();
            JWTClaimsSet claims = new JWTClaimsSet.Builder()
                    .claim("scope", scope)
                    .subject(user.toString())
                    .issueTime(Date.from(now))
                    .expirationTime(Date.from(now.plus(Duration.ofHours(1))))
                    .build();
            SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
            try {
                jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
            } catch (JOSEException e) {
                throw new IllegalStateException(e);
            }
            return jwt.serialize();
        }

        @Override
        public String mode() {
            return "jwt";
        }
    }
}
