package io.pollster.standalone;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Files of the repository this test runs in (the docs and deploy files the tests hold to the code). */
final class RepositoryFiles {

    private RepositoryFiles() {}

    /** The repository's root: the nearest directory above the working directory with the Maven wrapper. */
    static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            if (Files.isRegularFile(dir.resolve("mvnw")) && Files.isDirectory(dir.resolve("docs"))) {
                return dir;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException(
                "No repository root above " + Path.of("").toAbsolutePath());
    }

    /** The text of {@code relative} (e.g. {@code docs/api.md}) under the root. */
    static String read(String relative) {
        try {
            return Files.readString(root().resolve(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
