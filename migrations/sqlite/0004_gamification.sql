-- Gamification: levels, the points ledger, badges, activity days; the consumers' cursors live
-- in event_cursors (foundation).

CREATE TABLE levels (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    number INTEGER NOT NULL UNIQUE,
    name TEXT NOT NULL,
    min_points INTEGER NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
INSERT INTO levels (number, name, min_points, created_at, updated_at) VALUES
    (1, 'Новичок', 0, 0, 0),
    (2, 'Знаток', 200, 0, 0),
    (3, 'Эксперт', 500, 0, 0),
    (4, 'Мастер', 1000, 0, 0);

CREATE TABLE points_ledger (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    delta INTEGER NOT NULL,
    reason TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('rule', 'certification', 'admin')),
    -- One entry per source event: the same event delivered twice pays once.
    source_key TEXT NOT NULL UNIQUE,
    admin_id INTEGER REFERENCES users (id),
    certification_id INTEGER REFERENCES certifications (id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX points_ledger_user ON points_ledger (user_id, created_at);
CREATE INDEX points_ledger_created ON points_ledger (created_at);

CREATE TABLE badges (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    icon_url TEXT,
    kind TEXT NOT NULL CHECK (kind IN ('automatic', 'manual')),
    rule TEXT,
    rule_n INTEGER,
    archived BOOLEAN NOT NULL DEFAULT FALSE,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE user_badges (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    badge_id INTEGER NOT NULL REFERENCES badges (id) ON DELETE CASCADE,
    awarded_at INTEGER NOT NULL,
    awarded_by INTEGER REFERENCES users (id),
    reason TEXT NOT NULL DEFAULT '',
    source_key TEXT NOT NULL UNIQUE,
    revoked_at INTEGER,
    revoked_by INTEGER REFERENCES users (id),
    revoke_reason TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
-- A badge is held once at a time; a revoked one can be awarded again.
CREATE UNIQUE INDEX user_badges_active ON user_badges (user_id, badge_id) WHERE revoked_at IS NULL;

CREATE TABLE activity_days (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    day INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, day)
);
