package io.pollster.jobs.archive;

import io.pollster.core.poll.PollDefinition;
import io.pollster.core.results.Results;
import java.time.Instant;

/**
 * The {@code poll.json} of an archive: everything needed to read the archive without the database.
 *
 * @param format version of this layout
 * @param responseCount the number of rows of {@code responses.csv}
 */
record PollArchive(int format, Instant archivedAt, PollDefinition poll, Results results, long responseCount) {

    static final int FORMAT = 1;
}
