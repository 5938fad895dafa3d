package io.pollster.core.identity;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;

/**
 * Mints HS256 tokens that {@code jwt} mode with {@code pollster.identity.jwt.secret} accepts: for
 * development and tests, where no identity provider runs ({@code java -jar pollster.jar token}). A
 * production deployment gets its tokens from its identity provider and verifies them by JWKS.
 */
public final class DevelopmentTokens {

    private DevelopmentTokens() {}

    /** A token for {@code user}, signed with {@code secret}, expiring {@code ttl} from now. */
    public static String mint(String secret, UUID user, Duration ttl) {
        Instant now = Instant.now();
        return sign(
                secret,
                new JWTClaimsSet.Builder()
                        .subject(user.toString())
                        .issueTime(Date.from(now))
                        .expirationTime(Date.from(now.plus(ttl)))
                        .build());
    }

    /** Signs any claims with {@code secret} (HS256); tests use it for tokens that must be refused. */
    public static String sign(String secret, JWTClaimsSet claims) {
        byte[] key = secret.getBytes(StandardCharsets.UTF_8);
        if (key.length < JwtIdentity.MIN_SECRET_BYTES) {
            throw new IllegalArgumentException(
                    "an HS256 secret needs at least " + JwtIdentity.MIN_SECRET_BYTES + " bytes");
        }
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
            jwt.sign(new MACSigner(key));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException("HS256 signing failed", e);
        }
    }
}
