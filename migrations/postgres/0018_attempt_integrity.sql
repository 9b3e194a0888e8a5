-- Pause mode one question at a time, the time-away limit and the integrity record (issue 30).
-- The certification's limit on time away (off when NULL), copied to each attempt at its start.
ALTER TABLE certifications ADD COLUMN away_limit_secs BIGINT;
ALTER TABLE attempts ADD COLUMN away_limit_ms BIGINT;
-- When each question was first shown (JSON: one instant or null per question); NULL for
-- attempts started before: they show every question.
ALTER TABLE attempts ADD COLUMN shown TEXT;
-- The integrity flags of a finished attempt (JSON list of names), for the results' filter.
ALTER TABLE attempts ADD COLUMN flags TEXT;
-- What happened during an attempt, in order: started, shown, answer, left, returned.
CREATE TABLE attempt_events (
    id BIGSERIAL PRIMARY KEY,
    attempt_id BIGINT NOT NULL REFERENCES attempts (id) ON DELETE CASCADE,
    at BIGINT NOT NULL,
    kind TEXT NOT NULL,
    question_index BIGINT,
    away_ms BIGINT,
    session TEXT
);
CREATE INDEX attempt_events_attempt ON attempt_events (attempt_id, id);
