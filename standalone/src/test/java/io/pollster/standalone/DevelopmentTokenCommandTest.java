package io.pollster.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

class DevelopmentTokenCommandTest {

    private static final String SECRET = "a-development-secret-of-32-bytes-or-more";

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void printsAnHs256TokenForTheSubjectThatExpiresAfterTheTtl() {
        UUID user = UUID.randomUUID();

        int exit = run(Map.of(), "token", "--sub", user.toString(), "--secret", SECRET, "--ttl", "PT10M");

        assertThat(exit).as(err.toString()).isZero();
        Jwt jwt = NimbusJwtDecoder.withSecretKey(
                        new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"))
                .macAlgorithm(MacAlgorithm.HS256)
                .build()
                .decode(out.toString().trim());
        assertThat(jwt.getSubject()).isEqualTo(user.toString());
        assertThat(jwt.getExpiresAt())
                .isBetween(Instant.now().plusSeconds(540), Instant.now().plusSeconds(610));
    }

    @Test
    void takesTheSecretFromTheEnvironmentAndAFreshUserByDefault() {
        int exit = run(Map.of("POLLSTER_IDENTITY_JWT_SECRET", SECRET), "token");

        assertThat(exit).as(err.toString()).isZero();
        assertThat(out.toString().trim().split("\\.")).hasSize(3);
    }

    @Test
    void refusesAShortSecretANonUuidSubjectAndUnknownOptions() {
        assertThat(run(Map.of(), "token", "--secret", "short")).isEqualTo(2);
        assertThat(run(Map.of(), "token", "--secret", SECRET, "--sub", "alice")).isEqualTo(2);
        assertThat(run(Map.of(), "token", "--secret", SECRET, "--bogus", "1")).isEqualTo(2);
        assertThat(run(Map.of(), "token")).isEqualTo(2);
        assertThat(out.size()).isZero();
        assertThat(err.toString()).contains("usage:");
    }

    private int run(Map<String, String> environment, String... args) {
        return DevelopmentTokenCommand.run(args, environment, new PrintStream(out, true), new PrintStream(err, true));
    }
}
