-- The statistics' kept sums per branch as well (issue 27): a manager limited to branches
-- reads the figures of their branches' answers from kept sums, as everyone else does, instead
-- of summing the facts. An answer counts for the branch its person was in when the attempt
-- was scored (0: no branch); it is stored with the fact, so removing the fact takes it off
-- the same branch's sums even if the person has moved since.

ALTER TABLE answer_facts ADD COLUMN branch_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE answer_option_facts ADD COLUMN branch_id INTEGER NOT NULL DEFAULT 0;
UPDATE answer_facts SET branch_id = COALESCE((SELECT u.branch_id FROM attempts a
    JOIN users u ON u.id = a.user_id WHERE a.id = answer_facts.attempt_id), 0);
UPDATE answer_option_facts SET branch_id = COALESCE((SELECT u.branch_id FROM attempts a
    JOIN users u ON u.id = a.user_id WHERE a.id = answer_option_facts.attempt_id), 0);

DROP TRIGGER stats_item_sums_i;
DROP TRIGGER stats_item_sums_d;
DROP TRIGGER stats_option_counts_i;
DROP TRIGGER stats_option_counts_d;
DROP TABLE stats_item_sums;
DROP TABLE stats_item_sum_deltas;
DROP TABLE stats_option_counts;
DROP TABLE stats_option_count_deltas;

CREATE TABLE stats_item_sums (
    certification_id INTEGER NOT NULL,
    branch_id INTEGER NOT NULL,
    question_id INTEGER NOT NULL,
    revision INTEGER NOT NULL,
    first_attempt BOOLEAN NOT NULL,
    n INTEGER NOT NULL,
    right_n INTEGER NOT NULL,
    rest INTEGER NOT NULL,
    rest_sq INTEGER NOT NULL,
    right_rest INTEGER NOT NULL,
    PRIMARY KEY (certification_id, branch_id, question_id, revision, first_attempt)
);
-- Empty on SQLite (one writer, the triggers add to the sums directly); PostgreSQL's triggers
-- append here and a job folds them.
CREATE TABLE stats_item_sum_deltas (
    id INTEGER PRIMARY KEY,
    certification_id INTEGER NOT NULL,
    branch_id INTEGER NOT NULL,
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
    branch_id INTEGER NOT NULL,
    question_id INTEGER NOT NULL,
    revision INTEGER NOT NULL,
    option_id INTEGER NOT NULL,
    first_attempt BOOLEAN NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (certification_id, branch_id, question_id, revision, option_id, first_attempt)
);
CREATE TABLE stats_option_count_deltas (
    id INTEGER PRIMARY KEY,
    certification_id INTEGER NOT NULL,
    branch_id INTEGER NOT NULL,
    question_id INTEGER NOT NULL,
    revision INTEGER NOT NULL,
    option_id INTEGER NOT NULL,
    first_attempt BOOLEAN NOT NULL,
    n INTEGER NOT NULL
);

INSERT INTO stats_item_sums (certification_id, branch_id, question_id, revision, first_attempt, n, right_n, rest, rest_sq, right_rest)
SELECT certification_id, branch_id, question_id, revision, first_attempt, COUNT(*), SUM(is_right),
       SUM(rest), SUM(rest * rest), SUM(is_right * rest)
FROM answer_facts GROUP BY 1, 2, 3, 4, 5;

INSERT INTO stats_option_counts (certification_id, branch_id, question_id, revision, option_id, first_attempt, n)
SELECT certification_id, branch_id, question_id, revision, option_id, first_attempt, COUNT(*)
FROM answer_option_facts GROUP BY 1, 2, 3, 4, 5, 6;

-- The facts are only inserted (ON CONFLICT DO NOTHING fires nothing) and deleted.
CREATE TRIGGER stats_item_sums_i AFTER INSERT ON answer_facts
BEGIN
    INSERT INTO stats_item_sums (certification_id, branch_id, question_id, revision, first_attempt, n, right_n, rest, rest_sq, right_rest)
    VALUES (NEW.certification_id, NEW.branch_id, NEW.question_id, NEW.revision, NEW.first_attempt, 1,
            NEW.is_right, NEW.rest, NEW.rest * NEW.rest, NEW.is_right * NEW.rest)
    ON CONFLICT (certification_id, branch_id, question_id, revision, first_attempt) DO UPDATE
    SET n = n + excluded.n, right_n = right_n + excluded.right_n, rest = rest + excluded.rest,
        rest_sq = rest_sq + excluded.rest_sq, right_rest = right_rest + excluded.right_rest;
END;

CREATE TRIGGER stats_item_sums_d AFTER DELETE ON answer_facts
BEGIN
    INSERT INTO stats_item_sums (certification_id, branch_id, question_id, revision, first_attempt, n, right_n, rest, rest_sq, right_rest)
    VALUES (OLD.certification_id, OLD.branch_id, OLD.question_id, OLD.revision, OLD.first_attempt, -1,
            -OLD.is_right, -OLD.rest, -OLD.rest * OLD.rest, -OLD.is_right * OLD.rest)
    ON CONFLICT (certification_id, branch_id, question_id, revision, first_attempt) DO UPDATE
    SET n = n + excluded.n, right_n = right_n + excluded.right_n, rest = rest + excluded.rest,
        rest_sq = rest_sq + excluded.rest_sq, right_rest = right_rest + excluded.right_rest;
END;

CREATE TRIGGER stats_option_counts_i AFTER INSERT ON answer_option_facts
BEGIN
    INSERT INTO stats_option_counts (certification_id, branch_id, question_id, revision, option_id, first_attempt, n)
    VALUES (NEW.certification_id, NEW.branch_id, NEW.question_id, NEW.revision, NEW.option_id, NEW.first_attempt, 1)
    ON CONFLICT (certification_id, branch_id, question_id, revision, option_id, first_attempt) DO UPDATE
    SET n = n + excluded.n;
END;

CREATE TRIGGER stats_option_counts_d AFTER DELETE ON answer_option_facts
BEGIN
    INSERT INTO stats_option_counts (certification_id, branch_id, question_id, revision, option_id, first_attempt, n)
    VALUES (OLD.certification_id, OLD.branch_id, OLD.question_id, OLD.revision, OLD.option_id, OLD.first_attempt, -1)
    ON CONFLICT (certification_id, branch_id, question_id, revision, option_id, first_attempt) DO UPDATE
    SET n = n + excluded.n;
END;
