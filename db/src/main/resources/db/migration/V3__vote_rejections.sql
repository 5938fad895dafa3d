-- Votes the ingester refused, recorded in the same transaction as the batch that
-- refused them, so GET /api/polls/{id}/votes/{vote_id} can answer `rejected` with a
-- reason durably (Redis only keeps a short-lived `accepted` marker). One row per
-- refused answer. No foreign keys: a dead-lettered entry may name a poll, question
-- or choice that does not exist.
CREATE TABLE vote_rejections (
    vote_id     uuid        NOT NULL,
    question_id uuid        NOT NULL,
    poll_id     uuid        NOT NULL,
    choice_id   uuid        NOT NULL,
    user_id     uuid        NOT NULL,
    reason      text        NOT NULL,
    rejected_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (vote_id, question_id)
);
