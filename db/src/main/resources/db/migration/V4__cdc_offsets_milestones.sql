-- cdc-projector's durable state. PostgreSQL keeps it beside the data it describes, so a projector that
-- loses its disk (or is replaced by its standby) resumes where the last one stopped.

-- Debezium's source offsets (the WAL position applied to Redis), written after each applied batch.
-- Keys and values are Debezium's own serialized bytes; `store` names the engine (its replication slot).
CREATE TABLE cdc_offsets (
    store        text        NOT NULL,
    offset_key   bytea       NOT NULL,
    offset_value bytea,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (store, offset_key)
);

-- Milestones a poll has reached: the primary key makes a WAL replay unable to record one twice.
-- published_at is set once the event is on milestone:stream-{N}; a row without it is re-published
-- (Redis's own marker then keeps the stream from holding it twice).
CREATE TABLE cdc_milestones (
    poll_id      uuid        NOT NULL REFERENCES polls (poll_id) ON DELETE CASCADE,
    threshold    bigint      NOT NULL,
    reached_at   timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz,
    PRIMARY KEY (poll_id, threshold)
);

-- Written by Debezium's heartbeat action query: a change in the publication lets the slot's confirmed
-- position advance while the polled tables are idle, so an idle projector does not pin WAL.
CREATE TABLE cdc_heartbeats (
    slot_name text        PRIMARY KEY,
    beat_at   timestamptz NOT NULL
);
