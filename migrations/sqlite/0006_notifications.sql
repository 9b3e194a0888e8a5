-- Notifications in the bot and the Telegram delivery module shared with the audit feed.

-- Every message to Telegram waits here until it is sent (or given up): written in the same
-- transaction as what caused it, sent by one sender (the leader instance) within the rates.
CREATE TABLE tg_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- One message per cause, recipient and kind: a redelivered event queues nothing more.
    dedupe_key TEXT NOT NULL UNIQUE,
    chat_id INTEGER NOT NULL,
    thread_id INTEGER,
    recipient_id INTEGER REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    -- Inline keyboard: [[{"text": …, "web_app" | "url": …}]]
    buttons TEXT NOT NULL DEFAULT '[]',
    -- What a digest needs to count this message (results: passed or not).
    payload TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'dead', 'unreachable', 'skipped')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error TEXT,
    sent_at INTEGER,
    message_id INTEGER,
    -- Sent as part of this digest message (another row's id).
    digest_id INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX tg_outbox_due ON tg_outbox (next_attempt_at) WHERE status IN ('queued', 'failed');
CREATE INDEX tg_outbox_recipient ON tg_outbox (recipient_id, id);
CREATE INDEX tg_outbox_status ON tg_outbox (status, id);

-- A Telegram user who blocked the bot (403) gets nothing until they send /start again.
ALTER TABLE users ADD COLUMN tg_unreachable_at INTEGER;
ALTER TABLE users ADD COLUMN tg_unreachable_reason TEXT;

-- Kinds of notifications a person does not want.
CREATE TABLE notification_mutes (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, kind)
);

-- A manager limited to some branches sees (and is told about) only their people.
CREATE TABLE manager_branches (
    manager_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    branch_id INTEGER NOT NULL REFERENCES branches (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (manager_id, branch_id)
);

-- Opaque targets of Mini App links (`startapp=<token>`, buttons): the token names a section,
-- resolved and checked when opened; it never carries data.
CREATE TABLE deep_links (
    token TEXT PRIMARY KEY,
    target_kind TEXT NOT NULL,
    target_id INTEGER NOT NULL,
    target_extra INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (target_kind, target_id, target_extra)
);

-- Typed settings of the product, one JSON value per section, edited in the settings module.
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    updated_by INTEGER REFERENCES users (id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
