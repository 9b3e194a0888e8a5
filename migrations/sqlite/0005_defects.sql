-- Consumers of the outbox read below a safe horizon (see storage/horizon.rs). SQLite has one
-- writer at a time, so ids are in commit order and every event keeps tx = 0: the cursor over
-- (tx, id) is a cursor over ids.
ALTER TABLE domain_events ADD COLUMN tx INTEGER NOT NULL DEFAULT 0;
CREATE INDEX domain_events_tx_id ON domain_events (tx, id);
ALTER TABLE event_cursors ADD COLUMN last_tx INTEGER NOT NULL DEFAULT 0;

-- An event a consumer failed to apply: retried a few times, then parked with its error so the
-- consumer goes on with the rest.
CREATE TABLE event_failures (
    consumer TEXT NOT NULL,
    event_id INTEGER NOT NULL,
    attempts INTEGER NOT NULL,
    last_error TEXT NOT NULL,
    parked BOOLEAN NOT NULL DEFAULT FALSE,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (consumer, event_id)
);

-- A leave (app hidden or closed, back to theory) stops the clock until the user resumes.
ALTER TABLE attempts ADD COLUMN left_at INTEGER;
