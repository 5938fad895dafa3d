package io.pollster.jobs.archive;

import java.io.IOException;
import java.nio.file.Path;

/** Where archives are written: put whole objects, each replacing any older one atomically. */
interface ObjectStore {

    void put(String key, Path content, String contentType) throws IOException;

    /** A human- and tool-readable address of a key, recorded with the archive. */
    String location(String key);
}
