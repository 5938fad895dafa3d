package io.pollster.jobs.archive;

import java.io.IOException;
import java.nio.file.Path;

/** Where archives are written: put whole objects, each replacing any older one atomically. */
interface ObjectStore {

    /**
     * Writes {@code content} under {@code key}. A long upload calls {@code progress} as it goes (after
     * each part of a multipart upload), so the caller can show it is still alive.
     */
    void put(String key, Path content, String contentType, Runnable progress) throws IOException;

    default void put(String key, Path content, String contentType) throws IOException {
        put(key, content, contentType, () -> {});
    }

    /** A human- and tool-readable address of a key, recorded with the archive. */
    String location(String key);
}
