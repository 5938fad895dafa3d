package io.pollster.core.identity;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Where {@link VoterIds}' secret comes from: {@code pollster.identity.anonymous-secret}, else the file
 * {@code pollster.identity.anonymous-secret-file} (generated once, then read on every start), else
 * nowhere: the service refuses to start, since a secret made up at each start would make every
 * anonymous voter a new voter after a restart, and instances with different secrets would count one
 * client as several voters.
 */
final class AnonymousSecret {

    private static final int GENERATED_BYTES = 32;

    private AnonymousSecret() {}

    static String of(IdentityProperties identity) {
        if (identity.anonymousSecret() != null && !identity.anonymousSecret().isBlank()) {
            return identity.anonymousSecret();
        }
        if (identity.anonymousSecretFile() != null) {
            return readOrCreate(identity.anonymousSecretFile());
        }
        throw new IllegalStateException("pollster.identity.anonymous-secret is not set: anonymous voters' ids are "
                + "derived with it, so every instance of a deployment needs the same secret of at least "
                + VoterIds.MIN_SECRET_BYTES + " bytes (e.g. openssl rand -base64 32), kept across restarts; "
                + "a single instance may name a file to keep a generated one in, "
                + "pollster.identity.anonymous-secret-file");
    }

    /**
     * The secret in {@code file}, generated into it first if there is none. A new secret is written to
     * a temporary file and hard-linked into place, which never replaces a file (a rename would): two
     * processes starting at once both end up with whichever secret was linked first.
     */
    static String readOrCreate(Path file) {
        try {
            if (!Files.exists(file)) {
                Path directory = file.toAbsolutePath().getParent();
                Files.createDirectories(directory);
                byte[] random = new byte[GENERATED_BYTES];
                new SecureRandom().nextBytes(random);
                String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
                Path temporary = Files.createTempFile(directory, ".anonymous-secret-", ".tmp");
                try {
                    ownerOnly(temporary);
                    Files.writeString(temporary, secret + "\n", StandardCharsets.UTF_8);
                    try {
                        Files.createLink(file, temporary);
                    } catch (UnsupportedOperationException noHardLinks) {
                        Files.move(temporary, file);
                    }
                } catch (FileAlreadyExistsException anotherProcessWasFirst) {
                    // read theirs below
                } finally {
                    Files.deleteIfExists(temporary);
                }
            }
            String secret = Files.readString(file, StandardCharsets.UTF_8).trim();
            if (secret.getBytes(StandardCharsets.UTF_8).length < VoterIds.MIN_SECRET_BYTES) {
                throw new IllegalStateException(file + " holds no anonymous voters' secret of at least "
                        + VoterIds.MIN_SECRET_BYTES + " bytes");
            }
            return secret;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the anonymous voters' secret " + file, e);
        }
    }

    private static void ownerOnly(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException notPosix) {
            // Windows: the file keeps its directory's permissions
        }
    }
}
