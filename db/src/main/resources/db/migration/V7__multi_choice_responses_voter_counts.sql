-- Pollster schema, part 7: multi-choice answers and voter counters (docs/design.md "PostgreSQL").
--
-- A voter's answer to a question is one responses row per chosen choice. What made a user answer a
-- question once, UNIQUE (question_id, user_id) on responses, moves to a guard row per (question, user),
-- written by the ingester in the same transaction as the responses: a second vote with other choices
-- finds the guard taken even when Redis has lost its voter sets. Per vote this costs one guard row per
-- answered question and one per poll, each with its primary key only; responses keeps exactly as many
-- indexes as before (the UNIQUE index gains the choice column).

ALTER TABLE responses DROP CONSTRAINT responses_question_id_user_id_key;
ALTER TABLE responses ADD CONSTRAINT responses_question_user_choice_key UNIQUE (question_id, user_id, choice_id);

-- The vote that answered the question for this voter (user_id: the user, or the id derived for an
-- anonymous voter). No foreign keys: the responses inserted beside a guard already checked them, and a
-- check per row is work the hot path need not do (polls are never deleted).
CREATE TABLE question_voters (
    question_id uuid NOT NULL,
    user_id     uuid NOT NULL,
    vote_id     uuid NOT NULL,
    PRIMARY KEY (question_id, user_id)
);

-- The voters of a poll: a voter counts once however many questions they answered, in however many votes.
CREATE TABLE poll_voters (
    poll_id uuid NOT NULL,
    user_id uuid NOT NULL,
    PRIMARY KEY (poll_id, user_id)
);

-- Absolute, monotonic counters beside choice_counts, updated in the same transaction as the guard rows
-- they count, projected into Redis like choice_counts (keep the greater value).
CREATE TABLE question_voter_counts (
    question_id uuid   PRIMARY KEY REFERENCES questions (question_id) ON DELETE CASCADE,
    poll_id     uuid   NOT NULL REFERENCES polls (poll_id) ON DELETE CASCADE,
    voters      bigint NOT NULL DEFAULT 0 CHECK (voters >= 0)
);
CREATE INDEX question_voter_counts_poll_idx ON question_voter_counts (poll_id);

CREATE TABLE poll_voter_counts (
    poll_id uuid   PRIMARY KEY REFERENCES polls (poll_id) ON DELETE CASCADE,
    voters  bigint NOT NULL DEFAULT 0 CHECK (voters >= 0)
);

-- Existing polls: every question was single-choice, so each (question, user) has one response.
INSERT INTO question_voters (question_id, user_id, vote_id)
SELECT question_id, user_id, vote_id FROM responses;

INSERT INTO poll_voters (poll_id, user_id)
SELECT DISTINCT poll_id, user_id FROM responses;

INSERT INTO question_voter_counts (question_id, poll_id, voters)
SELECT q.question_id, q.poll_id, (SELECT count(*) FROM question_voters v WHERE v.question_id = q.question_id)
FROM questions q;

INSERT INTO poll_voter_counts (poll_id, voters)
SELECT p.poll_id, (SELECT count(*) FROM poll_voters v WHERE v.poll_id = p.poll_id)
FROM polls p;
