-- Taking certifications: theory reading, attempts with their snapshot and answers, progress.

-- Reading of the theory: time each page of a version was displayed, and the page on screen.
CREATE TABLE theory_reading (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    certification_id INTEGER NOT NULL REFERENCES certifications (id) ON DELETE CASCADE,
    block_id INTEGER NOT NULL,
    dwell_ms INTEGER NOT NULL DEFAULT 0,
    first_shown_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, certification_id, block_id)
);

-- Per user and certification: where the reading stands, attempts used, the best result.
CREATE TABLE certification_progress (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    certification_id INTEGER NOT NULL REFERENCES certifications (id) ON DELETE CASCADE,
    current_block_id INTEGER,
    current_since INTEGER,
    read_version INTEGER,
    read_at INTEGER,
    attempts_used INTEGER NOT NULL DEFAULT 0,
    best_percent INTEGER,
    best_attempt_id INTEGER,
    passed_at INTEGER,
    resets INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, certification_id)
);
CREATE INDEX certification_progress_cert ON certification_progress (certification_id);

CREATE TABLE attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    certification_id INTEGER NOT NULL REFERENCES certifications (id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('in_progress', 'finished')),
    timer_mode TEXT NOT NULL,
    time_limit_ms INTEGER NOT NULL,
    started_at INTEGER NOT NULL,
    used_ms INTEGER NOT NULL DEFAULT 0,
    segment_start INTEGER,
    segment_last INTEGER,
    deadline_at INTEGER,
    current_index INTEGER NOT NULL DEFAULT 0,
    seed TEXT NOT NULL,
    questions TEXT NOT NULL,
    shapes TEXT NOT NULL,
    pass_threshold INTEGER NOT NULL,
    finished_at INTEGER,
    finish_reason TEXT,
    correct INTEGER,
    total INTEGER,
    percent INTEGER,
    passed BOOLEAN,
    reset_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
-- One attempt in progress per user and certification: concurrent starts cannot make two.
CREATE UNIQUE INDEX attempts_one_in_progress ON attempts (user_id, certification_id) WHERE status = 'in_progress';
CREATE INDEX attempts_user_cert ON attempts (user_id, certification_id, id);
CREATE INDEX attempts_open_deadline ON attempts (status, deadline_at);

CREATE TABLE attempt_answers (
    attempt_id INTEGER NOT NULL REFERENCES attempts (id) ON DELETE CASCADE,
    question_index INTEGER NOT NULL,
    answer TEXT NOT NULL,
    answered_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (attempt_id, question_index)
);
