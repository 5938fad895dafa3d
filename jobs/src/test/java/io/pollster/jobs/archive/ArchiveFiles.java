package io.pollster.jobs.archive;

import io.pollster.core.json.PollsterJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import tools.jackson.databind.JsonNode;

/** Reads an archive back from the directory object store, as a data team would. */
record ArchiveFiles(Path dir) {

    static ArchiveFiles of(Path root, UUID pollId) {
        return new ArchiveFiles(root.resolve("polls").resolve(pollId.toString()));
    }

    List<String> csvLines() throws IOException {
        return Files.readAllLines(dir.resolve("responses.csv"));
    }

    /** Rows of the CSV, header excluded. */
    long csvRows() throws IOException {
        return csvLines().size() - 1L;
    }

    JsonNode pollJson() throws IOException {
        return PollsterJson.mapper().readTree(dir.resolve("poll.json").toFile());
    }
}
