package io.pollster.cdc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Votes flowing in the background, batch after batch, like the ingester: a failed transaction (PostgreSQL
 * restarting) is rolled back whole, so trying again with a fresh connection never double counts.
 */
final class VoteLoad implements AutoCloseable {

    private final VotingDatabase database;
    private final VotingDatabase.Poll poll;
    private final int votersPerBatch;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong batches = new AtomicLong();
    private final Thread thread;
    private volatile Exception lastError;

    VoteLoad(VotingDatabase database, VotingDatabase.Poll poll, int votersPerBatch) {
        this.database = database;
        this.poll = poll;
        this.votersPerBatch = votersPerBatch;
        this.thread = new Thread(this::run, "vote-load");
        thread.start();
    }

    long batches() {
        return batches.get();
    }

    /** The last failure seen, for a test's failure message. */
    String lastError() {
        return String.valueOf(lastError);
    }

    private void run() {
        Connection db = null;
        while (running.get()) {
            try {
                if (db == null || db.isClosed()) {
                    db = database.connect();
                }
                database.vote(db, poll, votersPerBatch);
                batches.incrementAndGet();
                pause(5);
            } catch (SQLException | RuntimeException e) {
                lastError = e;
                closeQuietly(db);
                db = null;
                pause(100);
            }
        }
        closeQuietly(db);
    }

    /** Stops after the batch in flight; everything committed by then is in PostgreSQL. */
    @Override
    public void close() throws InterruptedException {
        running.set(false);
        thread.join();
    }

    /** Paces the load (and backs off while PostgreSQL is down): a load generator, not a test wait. */
    private static void pause(long millis) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(millis));
    }

    private static void closeQuietly(Connection db) {
        try {
            if (db != null) {
                db.close();
            }
        } catch (SQLException ignored) {
            // broken connection
        }
    }
}
