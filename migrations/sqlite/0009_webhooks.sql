-- Webhooks out, and the generic HTTP outbox that delivers them (and, later, xAPI statements).

CREATE TABLE webhook_subscriptions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    url TEXT NOT NULL,
    -- Comma-separated event names (`user.created,badge.awarded`).
    events TEXT NOT NULL,
    -- Signs every delivery; the rotated-out one still signs until `previous_until`.
    secret TEXT NOT NULL,
    previous_secret TEXT,
    previous_until INTEGER,
    enabled BOOLEAN NOT NULL DEFAULT TRUE,
    disabled_reason TEXT,
    last_success_at INTEGER,
    last_failure_at INTEGER,
    last_error TEXT,
    created_by INTEGER REFERENCES users (id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- One row per HTTP request to make. `channel` says who builds and signs the request at send
-- time (`webhook`: `target_id` is the subscription); `dedupe` makes an event queue once per
-- target however often its consumer sees it.
CREATE TABLE http_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    channel TEXT NOT NULL,
    target_id INTEGER NOT NULL,
    event_type TEXT NOT NULL,
    dedupe TEXT NOT NULL,
    body TEXT NOT NULL,
    -- pending, delivered, dead
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_status INTEGER,
    last_error TEXT,
    delivered_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (channel, target_id, dedupe)
);
CREATE INDEX http_outbox_due ON http_outbox (next_attempt_at) WHERE status = 'pending';
CREATE INDEX http_outbox_target ON http_outbox (channel, target_id, id);
