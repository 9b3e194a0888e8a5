-- The certification statistics' per-question sums kept as facts are stored
-- (app::storage::analytics): every figure of a question (facility, discrimination, options
-- chosen) is made of sums over its answer facts, and sums add up. Reading them costs the
-- number of questions, not the number of answers; summing 500,000 facts of one
-- certification after every result took over 150 ms. Triggers keep them, so no write path
-- (scoring, the backfill, a cascade from a deleted attempt) can forget them.

CREATE TABLE stats_item_sums (
    certification_id INTEGER NOT NULL,
    question_id INTEGER NOT NULL,
    revision INTEGER NOT NULL,
    first_attempt BOOLEAN NOT NULL,
    n INTEGER NOT NULL,
    right_n INTEGER NOT NULL,
    rest INTEGER NOT NULL,
    rest_sq INTEGER NOT NULL,
    right_rest INTEGER NOT NULL,
    PRIMARY KEY (certification_id, question_id, revision, first_attempt)
);
-- Empty on SQLite (one writer, the triggers add to the sums directly); PostgreSQL's triggers
-- append here and a job folds them (see its migration).
CREATE TABLE stats_item_sum_deltas (
    id INTEGER PRIMARY KEY,
    certification_id INTEGER NOT NULL,
    question_id INTEGER NOT NULL,
    revision INTEGER NOT NULL,
    first_attempt BOOLEAN NOT NULL,
    n INTEGER NOT NULL,
    right_n INTEGER NOT NULL,
    rest INTEGER NOT NULL,
    rest_sq INTEGER NOT NULL,
    right_rest INTEGER NOT NULL
);

CREATE TABLE stats_option_counts (
    certification_id INTEGER NOT NULL,
    question_id INTEGER NOT NULL,
    revision INTEGER NOT NULL,
    option_id INTEGER NOT NULL,
    first_attempt BOOLEAN NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (certification_id, question_id, revision, option_id, first_attempt)
);
CREATE TABLE stats_option_count_deltas (
    id INTEGER PRIMARY KEY,
    certification_id INTEGER NOT NULL,
    question_id INTEGER NOT NULL,
    revision INTEGER NOT NULL,
    option_id INTEGER NOT NULL,
    first_attempt BOOLEAN NOT NULL,
    n INTEGER NOT NULL
);

INSERT INTO stats_item_sums (certification_id, question_id, revision, first_attempt, n, right_n, rest, rest_sq, right_rest)
SELECT certification_id, question_id, revision, first_attempt, COUNT(*), SUM(is_right), SUM(rest),
       SUM(rest * rest), SUM(is_right * rest)
FROM answer_facts GROUP BY 1, 2, 3, 4;

INSERT INTO stats_option_counts (certification_id, question_id, revision, option_id, first_attempt, n)
SELECT certification_id, question_id, revision, option_id, first_attempt, COUNT(*)
FROM answer_option_facts GROUP BY 1, 2, 3, 4, 5;

-- The facts are only inserted (ON CONFLICT DO NOTHING fires nothing) and deleted.
CREATE TRIGGER stats_item_sums_i AFTER INSERT ON answer_facts
BEGIN
    INSERT INTO stats_item_sums (certification_id, question_id, revision, first_attempt, n, right_n, rest, rest_sq, right_rest)
    VALUES (NEW.certification_id, NEW.question_id, NEW.revision, NEW.first_attempt, 1, NEW.is_right,
            NEW.rest, NEW.rest * NEW.rest, NEW.is_right * NEW.rest)
    ON CONFLICT (certification_id, question_id, revision, first_attempt) DO UPDATE
    SET n = n + excluded.n, right_n = right_n + excluded.right_n, rest = rest + excluded.rest,
        rest_sq = rest_sq + excluded.rest_sq, right_rest = right_rest + excluded.right_rest;
END;

CREATE TRIGGER stats_item_sums_d AFTER DELETE ON answer_facts
BEGIN
    INSERT INTO stats_item_sums (certification_id, question_id, revision, first_attempt, n, right_n, rest, rest_sq, right_rest)
    VALUES (OLD.certification_id, OLD.question_id, OLD.revision, OLD.first_attempt, -1, -OLD.is_right,
            -OLD.rest, -OLD.rest * OLD.rest, -OLD.is_right * OLD.rest)
    ON CONFLICT (certification_id, question_id, revision, first_attempt) DO UPDATE
    SET n = n + excluded.n, right_n = right_n + excluded.right_n, rest = rest + excluded.rest,
        rest_sq = rest_sq + excluded.rest_sq, right_rest = right_rest + excluded.right_rest;
END;

CREATE TRIGGER stats_option_counts_i AFTER INSERT ON answer_option_facts
BEGIN
    INSERT INTO stats_option_counts (certification_id, question_id, revision, option_id, first_attempt, n)
    VALUES (NEW.certification_id, NEW.question_id, NEW.revision, NEW.option_id, NEW.first_attempt, 1)
    ON CONFLICT (certification_id, question_id, revision, option_id, first_attempt) DO UPDATE
    SET n = n + excluded.n;
END;

CREATE TRIGGER stats_option_counts_d AFTER DELETE ON answer_option_facts
BEGIN
    INSERT INTO stats_option_counts (certification_id, question_id, revision, option_id, first_attempt, n)
    VALUES (OLD.certification_id, OLD.question_id, OLD.revision, OLD.option_id, OLD.first_attempt, -1)
    ON CONFLICT (certification_id, question_id, revision, option_id, first_attempt) DO UPDATE
    SET n = n + excluded.n;
END;

-- Only the sums read the facts by certification now: their indexes would cost every
-- finishing attempt a write for nothing.
DROP INDEX answer_facts_stats;
DROP INDEX answer_option_facts_stats;

-- The median time used walks this index in order instead of sorting every scored attempt.
CREATE INDEX attempts_cert_used ON attempts (certification_id, used_ms, number)
    WHERE status = 'finished' AND percent IS NOT NULL;
