-- Pollster schema, part 8: responses keep only the indexes a read path needs, and no foreign keys
-- (docs/design.md "PostgreSQL", issue #16).
--
-- The three foreign keys ran one check per inserted row each, a FOR KEY SHARE lock on the poll, the
-- question and the choice: the same few hot rows locked by every concurrent ingest batch of a poll, and
-- a third of the cost of inserting a response. The ingester checks instead, per batch and before it
-- writes, that every vote names a choice of a question of its poll (stronger than the keys, which
-- checked each id alone); an entry that does not is refused and dead-lettered as before. Polls,
-- questions and choices are never deleted, so no response can lose its parent afterwards.
ALTER TABLE responses
    DROP CONSTRAINT responses_poll_id_fkey,
    DROP CONSTRAINT responses_question_id_fkey,
    DROP CONSTRAINT responses_choice_id_fkey;

-- No read path looks responses up by choice: counts are choice_counts, kept in the same transaction.
DROP INDEX responses_choice_idx;
