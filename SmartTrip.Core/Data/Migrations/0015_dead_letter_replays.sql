-- A dead letter marked replayed means its event is stored. A replay sends the row's envelope back to the events queue
-- and records only that it did (replay_sent_at, replays); the drain sets replayed_at in the transaction that stores
-- the event, so a replay that fails again leaves the row waiting, with the newest reason. Rows older than the
-- retention (Lifecycle__DeadLetterRetentionDays) are deleted by the MaintainPartitions timer.
ALTER TABLE event_dead_letters
    ADD COLUMN replay_sent_at TIMESTAMPTZ,
    ADD COLUMN replays        INTEGER NOT NULL DEFAULT 0;
CREATE INDEX ix_event_dead_letters_dead_lettered_at ON event_dead_letters (dead_lettered_at);
