-- Events the drain could not store because of their data (SQLSTATE class 22 or 23): each kept with the one-event envelope
-- it came in (JSON text; jsonb would refuse the very U+0000 that may have sent it here), the reason and the SQLSTATE, so
-- that an operator can see it and replay it onto the events queue after a fix (events.md §5-§6, decision 0007).
CREATE TABLE IF NOT EXISTS event_dead_letters (
    id               BIGSERIAL PRIMARY KEY,
    event_id         UUID        NOT NULL,
    event_type       TEXT        NOT NULL,
    envelope         TEXT        NOT NULL,
    reason           TEXT        NOT NULL,
    sql_state        TEXT,
    received_at      TIMESTAMPTZ NOT NULL,
    dead_lettered_at TIMESTAMPTZ NOT NULL,
    replayed_at      TIMESTAMPTZ,
    CONSTRAINT uq_event_dead_letters_event_id UNIQUE (event_id)
);
CREATE INDEX IF NOT EXISTS ix_event_dead_letters_pending ON event_dead_letters (dead_lettered_at) WHERE replayed_at IS NULL;
