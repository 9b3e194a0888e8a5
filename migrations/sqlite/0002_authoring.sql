-- Authoring: uploads, the question bank, certifications with versioned theory, assignments.

CREATE TABLE uploads (
    id TEXT PRIMARY KEY,
    path TEXT NOT NULL,
    original_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('image', 'video', 'file')),
    size_bytes INTEGER NOT NULL,
    uploaded_by INTEGER REFERENCES users (id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE questions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('single', 'multiple', 'ordering')),
    text TEXT NOT NULL,
    image_url TEXT,
    options TEXT NOT NULL,
    tags TEXT NOT NULL,
    explanation TEXT NOT NULL DEFAULT '',
    search_text TEXT NOT NULL DEFAULT '',
    archived BOOLEAN NOT NULL DEFAULT FALSE,
    author_id INTEGER REFERENCES users (id),
    revision INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX questions_archived ON questions (archived, id);

CREATE TABLE question_tags (
    question_id INTEGER NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    PRIMARY KEY (question_id, tag)
);
CREATE INDEX question_tags_tag ON question_tags (tag);

CREATE TABLE certifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    pass_threshold INTEGER NOT NULL CHECK (pass_threshold BETWEEN 1 AND 100),
    max_attempts INTEGER NOT NULL CHECK (max_attempts >= 1),
    time_limit_secs INTEGER NOT NULL CHECK (time_limit_secs > 0),
    timer_mode TEXT NOT NULL CHECK (timer_mode IN ('pause_while_away', 'continuous')),
    min_read_secs INTEGER NOT NULL CHECK (min_read_secs >= 0),
    shuffle_questions BOOLEAN NOT NULL,
    shuffle_options BOOLEAN NOT NULL,
    points INTEGER NOT NULL CHECK (points >= 0),
    draw_count INTEGER CHECK (draw_count IS NULL OR draw_count >= 1),
    review_allowed BOOLEAN NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'scheduled', 'open', 'closed')),
    opens_at INTEGER,
    closes_at INTEGER,
    opened_at INTEGER,
    closed_at INTEGER,
    theory_version INTEGER NOT NULL DEFAULT 1,
    created_by INTEGER REFERENCES users (id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX certifications_status ON certifications (status);

CREATE TABLE theory_versions (
    certification_id INTEGER NOT NULL REFERENCES certifications (id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    require_reread BOOLEAN NOT NULL DEFAULT FALSE,
    created_by INTEGER REFERENCES users (id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (certification_id, version)
);

CREATE TABLE theory_blocks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    certification_id INTEGER NOT NULL REFERENCES certifications (id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('text', 'image', 'video', 'file')),
    title TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL DEFAULT '',
    url TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX theory_blocks_version ON theory_blocks (certification_id, version, position);

CREATE TABLE theory_materials (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    certification_id INTEGER NOT NULL REFERENCES certifications (id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('file', 'link')),
    title TEXT NOT NULL,
    url TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX theory_materials_version ON theory_materials (certification_id, version, position);

CREATE TABLE certification_questions (
    certification_id INTEGER NOT NULL REFERENCES certifications (id) ON DELETE CASCADE,
    question_id INTEGER NOT NULL REFERENCES questions (id),
    position INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (certification_id, question_id)
);

CREATE TABLE certification_assignments (
    certification_id INTEGER NOT NULL REFERENCES certifications (id) ON DELETE CASCADE,
    target_kind TEXT NOT NULL CHECK (target_kind IN ('position', 'branch', 'user')),
    target_id INTEGER NOT NULL,
    created_by INTEGER REFERENCES users (id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (certification_id, target_kind, target_id)
);
CREATE INDEX certification_assignments_target ON certification_assignments (target_kind, target_id);
