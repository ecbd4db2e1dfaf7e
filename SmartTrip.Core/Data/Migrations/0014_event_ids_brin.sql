-- event_ids is written in receive order (each message's ids carry its receive time), so a block-range (BRIN) index
-- finds the ids past the dedupe window as well as the B-tree did, at a fraction of its size and without a B-tree
-- insert for every stored event, whose right-most page every drain worker wrote to at once (decision 0012).
DROP INDEX ix_event_ids_received_at;
CREATE INDEX ix_event_ids_received_at ON event_ids USING brin (received_at);
