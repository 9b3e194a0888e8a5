-- The REST API: keys, idempotent requests, and what incremental sync of people reads.

-- Each person carries a version (ETags, If-Match, SCIM meta.version) and the position of its
-- latest change. One writer commits at a time on SQLite, so `change_id` alone orders changes
-- (`change_tx` stays 0, as the horizon module expects).
ALTER TABLE users ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE users ADD COLUMN change_tx INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN change_id INTEGER NOT NULL DEFAULT 0;
UPDATE users SET change_id = id;
CREATE INDEX users_change ON users (change_tx, change_id);
-- The triggers' MAX(change_id) reads this index's last entry instead of scanning the table.
CREATE INDEX users_change_id ON users (change_id);

CREATE TRIGGER users_track_insert AFTER INSERT ON users
BEGIN
    UPDATE users SET change_id = (SELECT COALESCE(MAX(change_id), 0) + 1 FROM users)
    WHERE id = NEW.id;
END;

CREATE TRIGGER users_track_update AFTER UPDATE ON users
WHEN NEW.change_id = OLD.change_id AND (
    NEW.telegram_id IS NOT OLD.telegram_id OR NEW.first_name IS NOT OLD.first_name
    OR NEW.last_name IS NOT OLD.last_name OR NEW.username IS NOT OLD.username
    OR NEW.language_code IS NOT OLD.language_code OR NEW.role IS NOT OLD.role
    OR NEW.status IS NOT OLD.status OR NEW.position_id IS NOT OLD.position_id
    OR NEW.branch_id IS NOT OLD.branch_id OR NEW.external_id IS NOT OLD.external_id
    OR NEW.login IS NOT OLD.login)
BEGIN
    UPDATE users SET version = OLD.version + 1,
        change_id = (SELECT MAX(change_id) + 1 FROM users)
    WHERE id = NEW.id;
END;

CREATE TABLE api_keys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    prefix TEXT NOT NULL,
    secret_hash TEXT NOT NULL UNIQUE,
    scopes TEXT NOT NULL,
    ip_allow TEXT NOT NULL DEFAULT '',
    rate_per_sec INTEGER NOT NULL DEFAULT 50,
    burst INTEGER NOT NULL DEFAULT 100,
    expires_at INTEGER,
    revoked_at INTEGER,
    last_used_at INTEGER,
    request_count INTEGER NOT NULL DEFAULT 0,
    created_by INTEGER REFERENCES users (id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE api_idempotency (
    key_id INTEGER NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
    idem_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status INTEGER,
    body TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (key_id, idem_key)
);
CREATE INDEX api_idempotency_created ON api_idempotency (created_at);
