-- Consumers of the outbox read below a safe horizon: `tx` is the id of the transaction that
-- wrote the event. Ids are handed out at insert, not at commit, so a cursor over ids alone
-- skips an event whose transaction commits after a later one; a cursor over (tx, id) that only
-- reads transactions older than the oldest one still running never does (see storage/horizon.rs).
-- Existing events keep tx = 0, so existing cursors (0, last id) stay where they were.
ALTER TABLE domain_events ADD COLUMN tx BIGINT NOT NULL DEFAULT 0;
ALTER TABLE domain_events ALTER COLUMN tx SET DEFAULT (pg_current_xact_id()::text::bigint);
CREATE INDEX domain_events_tx_id ON domain_events (tx, id);
ALTER TABLE event_cursors ADD COLUMN last_tx BIGINT NOT NULL DEFAULT 0;

-- An event a consumer failed to apply: retried a few times, then parked with its error so the
-- consumer goes on with the rest.
CREATE TABLE event_failures (
    consumer TEXT NOT NULL,
    event_id BIGINT NOT NULL,
    attempts BIGINT NOT NULL,
    last_error TEXT NOT NULL,
    parked BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (consumer, event_id)
);

-- A leave (app hidden or closed, back to theory) stops the clock until the user resumes.
ALTER TABLE attempts ADD COLUMN left_at BIGINT;
