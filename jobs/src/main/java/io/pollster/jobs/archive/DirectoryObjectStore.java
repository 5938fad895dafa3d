package io.pollster.jobs.archive;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;

/** Objects as files under a root directory, keys as relative paths. */
final class DirectoryObjectStore implements ObjectStore {

    private final Path root;

    DirectoryObjectStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    @Override
    public void put(String key, Path content, String contentType, Runnable progress) throws IOException {
        Path target = resolve(key);
        Files.createDirectories(target.getParent());
        // copied beside the target first: the rename is atomic on one file system, so a reader never
        // sees half an object and a crash leaves at most a stray temporary file
        Path partial = target.resolveSibling(target.getFileName() + "." + UUID.randomUUID() + ".partial");
        try {
            Files.copy(content, partial);
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    @Override
    public String location(String key) {
        return resolve(key).toUri().toString();
    }

    private Path resolve(String key) {
        Path path = root.resolve(key).normalize();
        if (!path.startsWith(root)) {
            throw new IllegalArgumentException("key outside the archive directory: " + key);
        }
        return path;
    }
}
