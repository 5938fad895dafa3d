package io.pollster.core.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnonymousSecretTest {

    @TempDir
    Path dir;

    @Test
    void theConfiguredSecretWinsOverTheFile() {
        String secret = "a-configured-secret-of-more-than-32-bytes";

        assertThat(AnonymousSecret.of(properties(secret, dir.resolve("anonymous-secret"))))
                .isEqualTo(secret);
        assertThat(dir.resolve("anonymous-secret")).doesNotExist();
    }

    @Test
    void withoutASecretNorAFileTheServiceRefusesToStart() {
        assertThatThrownBy(() -> AnonymousSecret.of(properties(null, null)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("pollster.identity.anonymous-secret");
        assertThatThrownBy(() -> AnonymousSecret.of(properties("  ", null))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aGeneratedSecretIsKeptAndReadBackOnTheNextStart() throws Exception {
        Path file = dir.resolve("data").resolve("anonymous-secret");

        String first = AnonymousSecret.of(properties(null, file));
        String again = AnonymousSecret.of(properties(null, file));

        assertThat(first.length()).isGreaterThanOrEqualTo(VoterIds.MIN_SECRET_BYTES);
        assertThat(again).isEqualTo(first);
        assertThat(Files.readString(file).trim()).isEqualTo(first);
        assertThat(Files.getPosixFilePermissions(file))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        try (var left = Files.list(file.getParent())) {
            assertThat(left).containsExactly(file);
        }
        assertThat(AnonymousSecret.of(properties(null, dir.resolve("elsewhere"))))
                .isNotEqualTo(first);
    }

    @Test
    void startsRacingForTheFileAllEndUpWithOneSecret() throws Exception {
        Path file = dir.resolve("anonymous-secret");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<String>> secrets = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                secrets.add(pool.submit((Callable<String>) () -> AnonymousSecret.of(properties(null, file))));
            }
            Set<String> seen = new HashSet<>();
            for (Future<String> secret : secrets) {
                seen.add(secret.get());
            }
            assertThat(seen).containsExactly(Files.readString(file).trim());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aFileWithTooShortASecretIsRefused() throws Exception {
        Path file = dir.resolve("anonymous-secret");
        Files.writeString(file, "short\n");

        assertThatThrownBy(() -> AnonymousSecret.of(properties(null, file)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(file.toString());
    }

    private static IdentityProperties properties(String secret, Path file) {
        return new IdentityProperties(
                IdentityProperties.Mode.HEADER, new IdentityProperties.Jwt(null, null, null), secret, file);
    }
}
