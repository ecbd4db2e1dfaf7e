-- What an off-policy estimate needs of each logged search (docs/experiments.md §7): the policy that chose the shown
-- list and its probability. The positions are those of result_trip_ids. Null in rows logged before: the engine's
-- ranking shown as it was, with probability 1.
ALTER TABLE recommendation_requests
    ADD COLUMN ranked_trip_ids        INTEGER[],         -- the engine's order, when the shown one differs
    ADD COLUMN exploration            TEXT,              -- 'swap' or 'shuffle' while a randomised slice is on
    ADD COLUMN exploration_share      REAL,              -- the share of searches it changes
    ADD COLUMN exploration_depth      SMALLINT,          -- how deep it reached in this search (cut to the first tier)
    ADD COLUMN list_propensity        DOUBLE PRECISION,  -- the probability of the shown list under that policy
    ADD COLUMN allocation_probability REAL;              -- the share of browsers the experiment's variant gets
