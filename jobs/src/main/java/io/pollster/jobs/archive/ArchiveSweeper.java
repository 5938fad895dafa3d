package io.pollster.jobs.archive;

import io.pollster.jobs.runtime.PeriodicJob;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Archives polls closed longer than {@code minAge} that have no archive yet: the safety net for a lost
 * archival entry, a projector that is not running, or an archive whose instance died (once its lease
 * expired).
 */
@Component
class ArchiveSweeper implements PeriodicJob {

    private static final Logger log = LoggerFactory.getLogger(ArchiveSweeper.class);
    private static final int BATCH = 100;

    private final JdbcClient jdbc;
    private final PollArchiver archiver;
    private final ArchiveProperties properties;

    ArchiveSweeper(JdbcClient jdbc, PollArchiver archiver, ArchiveProperties properties) {
        this.jdbc = jdbc;
        this.archiver = archiver;
        this.properties = properties;
    }

    @Override
    public String name() {
        return "archive-sweep";
    }

    @Override
    public boolean enabled() {
        return properties.enabled();
    }

    @Override
    public Duration interval() {
        return properties.sweepInterval();
    }

    @Override
    public void runOnce() {
        List<UUID> due = jdbc.sql(
                        """
                        SELECT p.poll_id FROM polls p
                        WHERE p.closed_at IS NOT NULL
                          AND p.closed_at <= now() - make_interval(secs => ?)
                          AND NOT EXISTS (
                              SELECT 1 FROM poll_archives a
                              WHERE a.poll_id = p.poll_id
                                AND (a.status = 'archived' OR a.lease_until >= now()))
                        ORDER BY p.closed_at LIMIT ?
                        """)
                .params(properties.minAge().toMillis() / 1000.0, BATCH)
                .query(UUID.class)
                .list();
        if (due.isEmpty()) {
            return;
        }
        log.info("Archive sweep found {} closed polls without an archive", due.size());
        int done = 0;
        for (UUID pollId : due) {
            if (archiver.archive(pollId, PollArchiver.Trigger.SWEEP)) {
                done++;
            }
        }
        log.info("Archive sweep archived {} of {} polls", done, due.size());
    }
}
