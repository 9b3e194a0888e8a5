-- What the certification statistics need, stored when an attempt is scored: one row per
-- question asked (right or wrong, and how many of the attempt's other questions were right,
-- for the discrimination), one per option chosen, and the text of each question revision.
-- The statistics aggregate these in SQL instead of re-scoring every attempt.

CREATE TABLE answer_facts (
    attempt_id INTEGER NOT NULL REFERENCES attempts (id) ON DELETE CASCADE,
    question_index INTEGER NOT NULL,
    certification_id INTEGER NOT NULL,
    question_id INTEGER NOT NULL,
    revision INTEGER NOT NULL,
    first_attempt BOOLEAN NOT NULL,
    is_right INTEGER NOT NULL,
    rest INTEGER NOT NULL,
    PRIMARY KEY (attempt_id, question_index)
);
-- Covers the aggregation in its GROUP BY order, so it streams the index alone.
CREATE INDEX answer_facts_stats ON answer_facts (certification_id, question_id, revision, first_attempt, is_right, rest);

CREATE TABLE answer_option_facts (
    attempt_id INTEGER NOT NULL REFERENCES attempts (id) ON DELETE CASCADE,
    question_index INTEGER NOT NULL,
    option_id INTEGER NOT NULL,
    certification_id INTEGER NOT NULL,
    question_id INTEGER NOT NULL,
    revision INTEGER NOT NULL,
    first_attempt BOOLEAN NOT NULL,
    PRIMARY KEY (attempt_id, question_index, option_id)
);
CREATE INDEX answer_option_facts_stats ON answer_option_facts (certification_id, question_id, revision, option_id, first_attempt);

-- The question as it was asked (plain text, options in the bank's order), once per revision.
CREATE TABLE stats_questions (
    certification_id INTEGER NOT NULL REFERENCES certifications (id) ON DELETE CASCADE,
    question_id INTEGER NOT NULL,
    revision INTEGER NOT NULL,
    snapshot TEXT NOT NULL,
    PRIMARY KEY (certification_id, question_id, revision)
);

-- Attempts scored before this migration get their facts from a backfill at start-up.
ALTER TABLE attempts ADD COLUMN facts_recorded BOOLEAN NOT NULL DEFAULT FALSE;
-- The statistics' attempt-level figures read this index alone.
CREATE INDEX attempts_cert_scored ON attempts (certification_id, user_id, number, percent, passed, used_ms)
    WHERE status = 'finished' AND percent IS NOT NULL;
CREATE INDEX attempts_unrecorded ON attempts (id) WHERE facts_recorded = FALSE AND percent IS NOT NULL;

-- The dashboard's newest badges and level-ups.
CREATE INDEX user_badges_awarded ON user_badges (awarded_at);
CREATE INDEX domain_events_kind ON domain_events (kind, id);
-- The dashboard's activity: attempts finished in the last 30 days.
CREATE INDEX attempts_finished ON attempts (finished_at, user_id, passed) WHERE status = 'finished';
-- The dashboard joins people to assignments by branch and by position.
CREATE INDEX users_branch ON users (branch_id);
CREATE INDEX users_position ON users (position_id);
