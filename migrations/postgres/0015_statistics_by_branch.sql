-- The statistics' kept sums per branch as well (issue 27): a manager limited to branches
-- reads the figures of their branches' answers from kept sums, as everyone else does, instead
-- of summing the facts. An answer counts for the branch its person was in when the attempt
-- was scored (0: no branch); it is stored with the fact, so removing the fact takes it off
-- the same branch's sums even if the person has moved since.

ALTER TABLE answer_facts ADD COLUMN branch_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE answer_option_facts ADD COLUMN branch_id BIGINT NOT NULL DEFAULT 0;
UPDATE answer_facts f SET branch_id = u.branch_id FROM attempts a JOIN users u ON u.id = a.user_id
    WHERE a.id = f.attempt_id AND u.branch_id IS NOT NULL;
UPDATE answer_option_facts f SET branch_id = u.branch_id FROM attempts a JOIN users u ON u.id = a.user_id
    WHERE a.id = f.attempt_id AND u.branch_id IS NOT NULL;

DROP TRIGGER stats_item_sums_added ON answer_facts;
DROP TRIGGER stats_item_sums_removed ON answer_facts;
DROP TRIGGER stats_option_counts_added ON answer_option_facts;
DROP TRIGGER stats_option_counts_removed ON answer_option_facts;
DROP FUNCTION stats_item_sums_added();
DROP FUNCTION stats_item_sums_removed();
DROP FUNCTION stats_option_counts_added();
DROP FUNCTION stats_option_counts_removed();
DROP TABLE stats_item_sums;
DROP TABLE stats_item_sum_deltas;
DROP TABLE stats_option_counts;
DROP TABLE stats_option_count_deltas;

CREATE TABLE stats_item_sums (
    certification_id BIGINT NOT NULL,
    branch_id BIGINT NOT NULL,
    question_id BIGINT NOT NULL,
    revision BIGINT NOT NULL,
    first_attempt BOOLEAN NOT NULL,
    n BIGINT NOT NULL,
    right_n BIGINT NOT NULL,
    rest BIGINT NOT NULL,
    rest_sq BIGINT NOT NULL,
    right_rest BIGINT NOT NULL,
    PRIMARY KEY (certification_id, branch_id, question_id, revision, first_attempt)
);
-- Triggers append deltas instead of updating the sums' rows: concurrent scorings of the
-- same questions never wait on each other's row locks. A leader job folds them in; reads
-- add the rest.
CREATE TABLE stats_item_sum_deltas (
    id BIGSERIAL PRIMARY KEY,
    certification_id BIGINT NOT NULL,
    branch_id BIGINT NOT NULL,
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
    branch_id BIGINT NOT NULL,
    question_id BIGINT NOT NULL,
    revision BIGINT NOT NULL,
    option_id BIGINT NOT NULL,
    first_attempt BOOLEAN NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (certification_id, branch_id, question_id, revision, option_id, first_attempt)
);
CREATE TABLE stats_option_count_deltas (
    id BIGSERIAL PRIMARY KEY,
    certification_id BIGINT NOT NULL,
    branch_id BIGINT NOT NULL,
    question_id BIGINT NOT NULL,
    revision BIGINT NOT NULL,
    option_id BIGINT NOT NULL,
    first_attempt BOOLEAN NOT NULL,
    n BIGINT NOT NULL
);

INSERT INTO stats_item_sums (certification_id, branch_id, question_id, revision, first_attempt, n, right_n, rest, rest_sq, right_rest)
SELECT certification_id, branch_id, question_id, revision, first_attempt, COUNT(*), SUM(is_right),
       SUM(rest), SUM(rest * rest), SUM(is_right * rest)
FROM answer_facts GROUP BY 1, 2, 3, 4, 5;

INSERT INTO stats_option_counts (certification_id, branch_id, question_id, revision, option_id, first_attempt, n)
SELECT certification_id, branch_id, question_id, revision, option_id, first_attempt, COUNT(*)
FROM answer_option_facts GROUP BY 1, 2, 3, 4, 5, 6;

CREATE FUNCTION stats_item_sums_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO stats_item_sum_deltas (certification_id, branch_id, question_id, revision, first_attempt, n, right_n, rest, rest_sq, right_rest)
    SELECT certification_id, branch_id, question_id, revision, first_attempt, COUNT(*), SUM(is_right),
           SUM(rest), SUM(rest * rest), SUM(is_right * rest)
    FROM added GROUP BY 1, 2, 3, 4, 5;
    RETURN NULL;
END
$$;
CREATE TRIGGER stats_item_sums_added AFTER INSERT ON answer_facts
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION stats_item_sums_added();

CREATE FUNCTION stats_item_sums_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO stats_item_sum_deltas (certification_id, branch_id, question_id, revision, first_attempt, n, right_n, rest, rest_sq, right_rest)
    SELECT certification_id, branch_id, question_id, revision, first_attempt, -COUNT(*), -SUM(is_right),
           -SUM(rest), -SUM(rest * rest), -SUM(is_right * rest)
    FROM removed GROUP BY 1, 2, 3, 4, 5;
    RETURN NULL;
END
$$;
CREATE TRIGGER stats_item_sums_removed AFTER DELETE ON answer_facts
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION stats_item_sums_removed();

CREATE FUNCTION stats_option_counts_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO stats_option_count_deltas (certification_id, branch_id, question_id, revision, option_id, first_attempt, n)
    SELECT certification_id, branch_id, question_id, revision, option_id, first_attempt, COUNT(*)
    FROM added GROUP BY 1, 2, 3, 4, 5, 6;
    RETURN NULL;
END
$$;
CREATE TRIGGER stats_option_counts_added AFTER INSERT ON answer_option_facts
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION stats_option_counts_added();

CREATE FUNCTION stats_option_counts_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO stats_option_count_deltas (certification_id, branch_id, question_id, revision, option_id, first_attempt, n)
    SELECT certification_id, branch_id, question_id, revision, option_id, first_attempt, -COUNT(*)
    FROM removed GROUP BY 1, 2, 3, 4, 5, 6;
    RETURN NULL;
END
$$;
CREATE TRIGGER stats_option_counts_removed AFTER DELETE ON answer_option_facts
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION stats_option_counts_removed();
