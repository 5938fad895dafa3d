package io.pollster.core.identity;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How every Pollster service learns who the user is ({@code pollster.identity.*}, docs/api.md "Identity").
 * Every service of one deployment must use the same mode and keys.
 *
 * @param mode {@code header}: the user id arrives as {@code X-User-Id}, set by a trusted gateway that
 *     strips any client's own; {@code jwt}: {@code Authorization: Bearer <JWT>}, {@code X-User-Id} ignored
 * @param jwt how tokens are verified in {@code jwt} mode
 * @param anonymousSecret the key anonymous voters' ids are derived with ({@link VoterIds}): at least 32
 *     bytes, the same on every instance of a deployment, and kept: a new one makes every earlier
 *     anonymous voter a new voter. write-api and live-gateway refuse to start without it (or a file below).
 * @param anonymousSecretFile where the secret is kept when {@code anonymous-secret} is not set: read
 *     from it, or generated into it once (standalone keeps it in its data directory). Only for a
 *     deployment of one instance, or instances that share the file
 */
@ConfigurationProperties("pollster.identity")
@Validated
public record IdentityProperties(
        @DefaultValue("header") Mode mode, @DefaultValue Jwt jwt, String anonymousSecret, Path anonymousSecretFile) {

    /** The two ways a request carries its user. */
    public enum Mode {
        HEADER,
        JWT
    }

    /**
     * Token verification in {@code jwt} mode: exactly one of the two keys.
     *
     * @param jwksUri the JSON Web Key Set of the identity provider (RS256 or ES256 signatures)
     * @param secret a shared HS256 secret of at least 32 bytes (UTF-8)
     * @param clockSkew how far {@code exp} and {@code nbf} may be off this server's clock
     */
    public record Jwt(URI jwksUri, String secret, @DefaultValue("30s") Duration clockSkew) {}
}
