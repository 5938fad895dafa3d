-- Pollster schema, part 1: the polls, their answers and the counters the
-- ingester keeps beside them. UUID keys throughout; ids are minted by the
-- application so an aggregate can be written in one round trip.

CREATE TABLE polls (
    poll_id     uuid        PRIMARY KEY,
    creator_id  uuid        NOT NULL,
    title       text        NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
    description text        CHECK (char_length(description) <= 2000),
    created_at  timestamptz NOT NULL DEFAULT now(),
    closes_at   timestamptz,
    -- the only column that changes after creation
    closed_at   timestamptz,
    unique_slug text        NOT NULL UNIQUE
);
-- scheduled closing: open polls with a deadline, soonest first
CREATE INDEX polls_due_to_close_idx ON polls (closes_at) WHERE closed_at IS NULL AND closes_at IS NOT NULL;
-- archival sweep: closed polls by age
CREATE INDEX polls_closed_idx ON polls (closed_at) WHERE closed_at IS NOT NULL;
CREATE INDEX polls_creator_idx ON polls (creator_id, created_at DESC);

CREATE TABLE questions (
    question_id   uuid    PRIMARY KEY,
    poll_id       uuid    NOT NULL REFERENCES polls (poll_id) ON DELETE CASCADE,
    question_text text    NOT NULL,
    "order"       integer NOT NULL,
    UNIQUE (poll_id, "order")
);

CREATE TABLE choices (
    choice_id   uuid    PRIMARY KEY,
    question_id uuid    NOT NULL REFERENCES questions (question_id) ON DELETE CASCADE,
    choice_text text    NOT NULL,
    -- display order within the question (the seed leaves it implicit)
    position    integer NOT NULL,
    UNIQUE (question_id, position)
);

CREATE TABLE responses (
    response_id  uuid        PRIMARY KEY,
    poll_id      uuid        NOT NULL REFERENCES polls (poll_id),
    question_id  uuid        NOT NULL REFERENCES questions (question_id),
    choice_id    uuid        NOT NULL REFERENCES choices (choice_id),
    user_id      uuid        NOT NULL,
    -- the accepted request this answer came with: all answers of one vote share it
    vote_id      uuid        NOT NULL,
    submitted_at timestamptz NOT NULL,
    ip_address   text,
    -- a user answers a question once; PostgreSQL, not Redis, has the last word
    UNIQUE (question_id, user_id)
);
CREATE INDEX responses_poll_idx ON responses (poll_id);
CREATE INDEX responses_vote_idx ON responses (vote_id);
CREATE INDEX responses_choice_idx ON responses (choice_id);

-- Absolute, monotonic counters, updated in the same transaction as the
-- responses they count. Being monotonic, they can be projected into Redis
-- idempotently (keep the greater value), in any order, any number of times.
CREATE TABLE choice_counts (
    choice_id   uuid   PRIMARY KEY REFERENCES choices (choice_id) ON DELETE CASCADE,
    poll_id     uuid   NOT NULL REFERENCES polls (poll_id) ON DELETE CASCADE,
    question_id uuid   NOT NULL REFERENCES questions (question_id) ON DELETE CASCADE,
    count       bigint NOT NULL DEFAULT 0 CHECK (count >= 0)
);
CREATE INDEX choice_counts_poll_idx ON choice_counts (poll_id);
