-- Interleaving experiments (docs/experiments.md §10): an experiment is an A/B split of the browsers ('ab') or a team
-- draft of its two variants in every search ('interleaving'); a search served so logs which team gave each position.
ALTER TABLE experiments
    ADD COLUMN kind VARCHAR(20) NOT NULL DEFAULT 'ab' CHECK (kind IN ('ab', 'interleaving'));
ALTER TABLE recommendation_requests
    ADD COLUMN teams TEXT; -- one letter per position of result_trip_ids: A the control's trip, B the candidate's
