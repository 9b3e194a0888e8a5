-- The certification statistics' per-question sums kept as facts are stored
-- (app::storage::analytics): every figure of a question (facility, discrimination, options
-- chosen) is made of sums over its answer facts, and sums add up. Reading them costs the
-- number of questions, not the number of answers; summing 500,000 facts of one
-- certification after every result took over 150 ms. Triggers keep them, so no write path
-- (scoring, the backfill, a cascade from a deleted attempt) can forget them. As with the
-- dashboard's counts, the triggers only append deltas (one statement-level insert per
-- statement of facts): a sum row per question updated by every finishing transaction would
-- queue a synchronized exam's finishers on its lock. A job folds the deltas into the sums
-- (storage::dashboard::fold_counts) and a read adds the deltas not folded yet.

CREATE TABLE stats_item_sums (
    certification_id BIGINT NOT NULL,
    question_id BIGINT NOT NULL,
    revision BIGINT NOT NULL,
    first_attempt BOOLEAN NOT NULL,
    n BIGINT NOT NULL,
    right_n BIGINT NOT NULL,
    rest BIGINT NOT NULL,
    rest_sq BIGINT NOT NULL,
    right_rest BIGINT NOT NULL,
    PRIMARY KEY (certification_id, question_id, revision, first_attempt)
);
CREATE TABLE stats_item_sum_deltas (
    id BIGSERIAL PRIMARY KEY,
    certification_id BIGINT NOT NULL,
    question_id BIGINT NOT NULL,
    revision BIGINT NOT NULL,
    first_attempt BOOLEAN NOT NULL,
    n BIGINT NOT NULL,
    right_n BIGINT NOT NULL,
    rest BIGINT NOT NULL,
    rest_sq BIGINT NOT NULL,
    right_rest BIGINT NOT NULL
);

CREATE TABLE stats_option_counts (
    certification_id BIGINT NOT NULL,
    question_id BIGINT NOT NULL,
    revision BIGINT NOT NULL,
    option_id BIGINT NOT NULL,
    first_attempt BOOLEAN NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (certification_id, question_id, revision, option_id, first_attempt)
);
CREATE TABLE stats_option_count_deltas (
    id BIGSERIAL PRIMARY KEY,
    certification_id BIGINT NOT NULL,
    question_id BIGINT NOT NULL,
    revision BIGINT NOT NULL,
    option_id BIGINT NOT NULL,
    first_attempt BOOLEAN NOT NULL,
    n BIGINT NOT NULL
);

INSERT INTO stats_item_sums (certification_id, question_id, revision, first_attempt, n, right_n, rest, rest_sq, right_rest)
SELECT certification_id, question_id, revision, first_attempt, COUNT(*), SUM(is_right), SUM(rest),
       SUM(rest * rest), SUM(is_right * rest)
FROM answer_facts GROUP BY 1, 2, 3, 4;

INSERT INTO stats_option_counts (certification_id, question_id, revision, option_id, first_attempt, n)
SELECT certification_id, question_id, revision, option_id, first_attempt, COUNT(*)
FROM answer_option_facts GROUP BY 1, 2, 3, 4, 5;

-- The facts are only inserted (ON CONFLICT DO NOTHING leaves a skipped row out of the
-- transition table) and deleted. A trigger with a transition table has one event, so each
-- direction has its own.
CREATE FUNCTION stats_item_sums_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO stats_item_sum_deltas (certification_id, question_id, revision, first_attempt, n, right_n, rest, rest_sq, right_rest)
    SELECT certification_id, question_id, revision, first_attempt, COUNT(*), SUM(is_right), SUM(rest),
           SUM(rest * rest), SUM(is_right * rest)
    FROM added GROUP BY 1, 2, 3, 4;
    RETURN NULL;
END
$$;
CREATE TRIGGER stats_item_sums_added AFTER INSERT ON answer_facts
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION stats_item_sums_added();

CREATE FUNCTION stats_item_sums_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO stats_item_sum_deltas (certification_id, question_id, revision, first_attempt, n, right_n, rest, rest_sq, right_rest)
    SELECT certification_id, question_id, revision, first_attempt, -COUNT(*), -SUM(is_right), -SUM(rest),
           -SUM(rest * rest), -SUM(is_right * rest)
    FROM removed GROUP BY 1, 2, 3, 4;
    RETURN NULL;
END
$$;
CREATE TRIGGER stats_item_sums_removed AFTER DELETE ON answer_facts
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION stats_item_sums_removed();

CREATE FUNCTION stats_option_counts_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO stats_option_count_deltas (certification_id, question_id, revision, option_id, first_attempt, n)
    SELECT certification_id, question_id, revision, option_id, first_attempt, COUNT(*)
    FROM added GROUP BY 1, 2, 3, 4, 5;
    RETURN NULL;
END
$$;
CREATE TRIGGER stats_option_counts_added AFTER INSERT ON answer_option_facts
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION stats_option_counts_added();

CREATE FUNCTION stats_option_counts_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO stats_option_count_deltas (certification_id, question_id, revision, option_id, first_attempt, n)
    SELECT certification_id, question_id, revision, option_id, first_attempt, -COUNT(*)
    FROM removed GROUP BY 1, 2, 3, 4, 5;
    RETURN NULL;
END
$$;
CREATE TRIGGER stats_option_counts_removed AFTER DELETE ON answer_option_facts
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION stats_option_counts_removed();

-- Only the sums read the facts by certification now: their indexes would cost every
-- finishing attempt a write for nothing.
DROP INDEX answer_facts_stats;
DROP INDEX answer_option_facts_stats;

-- The median time used walks this index in order instead of sorting every scored attempt.
CREATE INDEX attempts_cert_used ON attempts (certification_id, used_ms, number)
    WHERE status = 'finished' AND percent IS NOT NULL;
