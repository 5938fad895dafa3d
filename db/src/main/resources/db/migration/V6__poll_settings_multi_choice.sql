-- Pollster schema, part 6: the settings a poll is created with (docs/api.md "POST /api/polls").
-- Defaults are the behaviour every poll had before, so existing polls read exactly as before.

-- who may vote and how duplicates are told apart: an authenticated user, a device id, a client IP
ALTER TABLE polls ADD COLUMN voters text NOT NULL DEFAULT 'user'
    CHECK (voters IN ('user', 'device', 'ip'));
-- when counts may be shown to a viewer who is not the creator
ALTER TABLE polls ADD COLUMN results_visibility text NOT NULL DEFAULT 'always'
    CHECK (results_visibility IN ('always', 'after_vote', 'after_close'));

-- how many choices one voter picks in a question; the upper bound (the number of choices) is checked
-- by the API, which knows the choices before they are inserted
ALTER TABLE questions ADD COLUMN min_choices integer NOT NULL DEFAULT 1;
ALTER TABLE questions ADD COLUMN max_choices integer NOT NULL DEFAULT 1;
ALTER TABLE questions ADD CONSTRAINT questions_choices_range_check
    CHECK (1 <= min_choices AND min_choices <= max_choices);
