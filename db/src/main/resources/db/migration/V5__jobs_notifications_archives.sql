-- Pollster schema, part 5: what the jobs service keeps. Every table here is a
-- durable dedupe key: a job's effect is recorded once, however often the stream
-- entry or the sweep that caused it is replayed.

-- The notifications inbox (GET /api/notifications). notification_id is derived
-- from the notification's content (poll, type, recipient, message, so for a
-- milestone: poll and threshold): a replayed event lands on the same key.
CREATE TABLE notifications (
    notification_id uuid        PRIMARY KEY,
    recipient_id    uuid        NOT NULL,
    poll_id         uuid        NOT NULL REFERENCES polls (poll_id) ON DELETE CASCADE,
    type            text        NOT NULL,
    message         text        NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notifications_recipient_idx ON notifications (recipient_id, created_at DESC);

-- Webhook outbox: written in the same transaction as the inbox row, then
-- delivered by whichever jobs instance leases it first. 'dead' is the
-- dead-letter state: max tries reached, kept for inspection and replay.
CREATE TABLE webhook_deliveries (
    notification_id uuid        PRIMARY KEY REFERENCES notifications (notification_id) ON DELETE CASCADE,
    url             text        NOT NULL,
    status          text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead')),
    attempts        integer     NOT NULL DEFAULT 0,
    -- when the next attempt is due; also the lease of an attempt in flight
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text,
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';

-- One archive per poll. A jobs instance claims a poll by inserting or taking
-- over an expired lease; attempts counts the claims (1 when nothing crashed).
CREATE TABLE poll_archives (
    poll_id        uuid        PRIMARY KEY REFERENCES polls (poll_id) ON DELETE CASCADE,
    status         text        NOT NULL CHECK (status IN ('in_progress', 'archived')),
    attempts       integer     NOT NULL DEFAULT 1,
    lease_until    timestamptz NOT NULL,
    -- what asked for it: the archival stream or the periodic sweep
    trigger        text        NOT NULL,
    location       text,
    response_count bigint,
    started_at     timestamptz NOT NULL DEFAULT now(),
    archived_at    timestamptz
);
