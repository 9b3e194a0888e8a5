-- The dashboard's compliance counts kept as they change (app::storage::dashboard): how many
-- progress rows of active people there are per certification, branch, position, "tried" and
-- "passed" (0 stands for no branch or no position). Reading them costs the number of groups,
-- not the number of people; recounting 100,000 people's progress after every result took
-- over 200 ms. Triggers keep them, so no write path can forget them. SQLite has one writer,
-- so the triggers add to the counts directly; PostgreSQL's triggers append deltas that a job
-- folds in (its own 0013), so finishers never queue on a shared counter row. The deltas table
-- exists here too, always empty, so both backends read the same way.

CREATE TABLE progress_counts (
    certification_id INTEGER NOT NULL,
    branch_key INTEGER NOT NULL,
    position_key INTEGER NOT NULL,
    tried BOOLEAN NOT NULL,
    passed BOOLEAN NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (certification_id, branch_key, position_key, tried, passed)
) WITHOUT ROWID;

CREATE TABLE progress_count_deltas (
    id INTEGER PRIMARY KEY,
    certification_id INTEGER NOT NULL,
    branch_key INTEGER NOT NULL,
    position_key INTEGER NOT NULL,
    tried BOOLEAN NOT NULL,
    passed BOOLEAN NOT NULL,
    n INTEGER NOT NULL
);

INSERT INTO progress_counts (certification_id, branch_key, position_key, tried, passed, n)
SELECT p.certification_id, COALESCE(u.branch_id, 0), COALESCE(u.position_id, 0),
       p.attempts_used > 0, p.passed_at IS NOT NULL, COUNT(*)
FROM certification_progress p JOIN users u ON u.id = p.user_id
WHERE u.status = 'active'
GROUP BY 1, 2, 3, 4, 5;

CREATE TRIGGER progress_counts_i AFTER INSERT ON certification_progress
BEGIN
    INSERT INTO progress_counts (certification_id, branch_key, position_key, tried, passed, n)
    SELECT NEW.certification_id, COALESCE(u.branch_id, 0), COALESCE(u.position_id, 0),
           NEW.attempts_used > 0, NEW.passed_at IS NOT NULL, 1
    FROM users u WHERE u.id = NEW.user_id AND u.status = 'active'
    ON CONFLICT (certification_id, branch_key, position_key, tried, passed) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER progress_counts_u AFTER UPDATE OF attempts_used, passed_at ON certification_progress
    WHEN (OLD.attempts_used > 0) <> (NEW.attempts_used > 0)
      OR (OLD.passed_at IS NULL) <> (NEW.passed_at IS NULL)
BEGIN
    INSERT INTO progress_counts (certification_id, branch_key, position_key, tried, passed, n)
    SELECT OLD.certification_id, COALESCE(u.branch_id, 0), COALESCE(u.position_id, 0),
           OLD.attempts_used > 0, OLD.passed_at IS NOT NULL, -1
    FROM users u WHERE u.id = OLD.user_id AND u.status = 'active'
    ON CONFLICT (certification_id, branch_key, position_key, tried, passed) DO UPDATE SET n = n + excluded.n;
    INSERT INTO progress_counts (certification_id, branch_key, position_key, tried, passed, n)
    SELECT NEW.certification_id, COALESCE(u.branch_id, 0), COALESCE(u.position_id, 0),
           NEW.attempts_used > 0, NEW.passed_at IS NOT NULL, 1
    FROM users u WHERE u.id = NEW.user_id AND u.status = 'active'
    ON CONFLICT (certification_id, branch_key, position_key, tried, passed) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER progress_counts_d AFTER DELETE ON certification_progress
BEGIN
    INSERT INTO progress_counts (certification_id, branch_key, position_key, tried, passed, n)
    SELECT OLD.certification_id, COALESCE(u.branch_id, 0), COALESCE(u.position_id, 0),
           OLD.attempts_used > 0, OLD.passed_at IS NOT NULL, -1
    FROM users u WHERE u.id = OLD.user_id AND u.status = 'active'
    ON CONFLICT (certification_id, branch_key, position_key, tried, passed) DO UPDATE SET n = n + excluded.n;
END;

-- A person who moves, leaves or comes back moves their progress rows between groups.
CREATE TRIGGER progress_counts_users_u AFTER UPDATE OF status, branch_id, position_id ON users
    WHEN OLD.status IS NOT NEW.status OR OLD.branch_id IS NOT NEW.branch_id
      OR OLD.position_id IS NOT NEW.position_id
BEGIN
    INSERT INTO progress_counts (certification_id, branch_key, position_key, tried, passed, n)
    SELECT p.certification_id, COALESCE(OLD.branch_id, 0), COALESCE(OLD.position_id, 0),
           p.attempts_used > 0, p.passed_at IS NOT NULL, -COUNT(*)
    FROM certification_progress p WHERE p.user_id = OLD.id AND OLD.status = 'active'
    GROUP BY 1, 2, 3, 4, 5
    ON CONFLICT (certification_id, branch_key, position_key, tried, passed) DO UPDATE SET n = n + excluded.n;
    INSERT INTO progress_counts (certification_id, branch_key, position_key, tried, passed, n)
    SELECT p.certification_id, COALESCE(NEW.branch_id, 0), COALESCE(NEW.position_id, 0),
           p.attempts_used > 0, p.passed_at IS NOT NULL, COUNT(*)
    FROM certification_progress p WHERE p.user_id = NEW.id AND NEW.status = 'active'
    GROUP BY 1, 2, 3, 4, 5
    ON CONFLICT (certification_id, branch_key, position_key, tried, passed) DO UPDATE SET n = n + excluded.n;
END;

-- Deleting a person or a certification deletes its progress rows first, while the row they
-- are counted by is still there (a cascade would run after it is gone and count nothing).
CREATE TRIGGER progress_counts_users_d BEFORE DELETE ON users
BEGIN
    DELETE FROM certification_progress WHERE user_id = OLD.id;
END;
CREATE TRIGGER progress_counts_certifications_d BEFORE DELETE ON certifications
BEGIN
    DELETE FROM certification_progress WHERE certification_id = OLD.id;
    DELETE FROM progress_counts WHERE certification_id = OLD.id;
END;

-- The dashboard's activity kept the same way: attempts finished (not ended by a progress
-- reset) by active people, and passes, per quarter of an hour and branch. Days in every
-- real time zone start on a quarter hour, so any display day is a sum of buckets.
CREATE TABLE activity_counts (
    bucket INTEGER NOT NULL,
    branch_key INTEGER NOT NULL,
    attempts INTEGER NOT NULL,
    passes INTEGER NOT NULL,
    PRIMARY KEY (bucket, branch_key)
) WITHOUT ROWID;

CREATE TABLE activity_count_deltas (
    id INTEGER PRIMARY KEY,
    bucket INTEGER NOT NULL,
    branch_key INTEGER NOT NULL,
    attempts INTEGER NOT NULL,
    passes INTEGER NOT NULL
);

INSERT INTO activity_counts (bucket, branch_key, attempts, passes)
SELECT t.finished_at / 900000, COALESCE(u.branch_id, 0), COUNT(*), SUM(CASE WHEN t.passed THEN 1 ELSE 0 END)
FROM attempts t JOIN users u ON u.id = t.user_id
WHERE t.status = 'finished' AND COALESCE(t.finish_reason, '') <> 'reset'
  AND t.finished_at IS NOT NULL AND u.status = 'active'
GROUP BY 1, 2;

CREATE TRIGGER activity_counts_i AFTER INSERT ON attempts
    WHEN NEW.status = 'finished' AND COALESCE(NEW.finish_reason, '') <> 'reset' AND NEW.finished_at IS NOT NULL
BEGIN
    INSERT INTO activity_counts (bucket, branch_key, attempts, passes)
    SELECT NEW.finished_at / 900000, COALESCE(u.branch_id, 0), 1, CASE WHEN NEW.passed THEN 1 ELSE 0 END
    FROM users u WHERE u.id = NEW.user_id AND u.status = 'active'
    ON CONFLICT (bucket, branch_key) DO UPDATE
    SET attempts = attempts + excluded.attempts, passes = passes + excluded.passes;
END;

CREATE TRIGGER activity_counts_u AFTER UPDATE OF status, finish_reason, finished_at, passed ON attempts
    WHEN OLD.status IS NOT NEW.status OR OLD.finish_reason IS NOT NEW.finish_reason
      OR OLD.finished_at IS NOT NEW.finished_at OR OLD.passed IS NOT NEW.passed
BEGIN
    INSERT INTO activity_counts (bucket, branch_key, attempts, passes)
    SELECT OLD.finished_at / 900000, COALESCE(u.branch_id, 0), -1, CASE WHEN OLD.passed THEN -1 ELSE 0 END
    FROM users u WHERE u.id = OLD.user_id AND u.status = 'active'
      AND OLD.status = 'finished' AND COALESCE(OLD.finish_reason, '') <> 'reset' AND OLD.finished_at IS NOT NULL
    ON CONFLICT (bucket, branch_key) DO UPDATE
    SET attempts = attempts + excluded.attempts, passes = passes + excluded.passes;
    INSERT INTO activity_counts (bucket, branch_key, attempts, passes)
    SELECT NEW.finished_at / 900000, COALESCE(u.branch_id, 0), 1, CASE WHEN NEW.passed THEN 1 ELSE 0 END
    FROM users u WHERE u.id = NEW.user_id AND u.status = 'active'
      AND NEW.status = 'finished' AND COALESCE(NEW.finish_reason, '') <> 'reset' AND NEW.finished_at IS NOT NULL
    ON CONFLICT (bucket, branch_key) DO UPDATE
    SET attempts = attempts + excluded.attempts, passes = passes + excluded.passes;
END;

CREATE TRIGGER activity_counts_d AFTER DELETE ON attempts
    WHEN OLD.status = 'finished' AND COALESCE(OLD.finish_reason, '') <> 'reset' AND OLD.finished_at IS NOT NULL
BEGIN
    INSERT INTO activity_counts (bucket, branch_key, attempts, passes)
    SELECT OLD.finished_at / 900000, COALESCE(u.branch_id, 0), -1, CASE WHEN OLD.passed THEN -1 ELSE 0 END
    FROM users u WHERE u.id = OLD.user_id AND u.status = 'active'
    ON CONFLICT (bucket, branch_key) DO UPDATE
    SET attempts = attempts + excluded.attempts, passes = passes + excluded.passes;
END;

CREATE TRIGGER activity_counts_users_u AFTER UPDATE OF status, branch_id ON users
    WHEN OLD.status IS NOT NEW.status OR OLD.branch_id IS NOT NEW.branch_id
BEGIN
    INSERT INTO activity_counts (bucket, branch_key, attempts, passes)
    SELECT t.finished_at / 900000, COALESCE(OLD.branch_id, 0), -COUNT(*), -SUM(CASE WHEN t.passed THEN 1 ELSE 0 END)
    FROM attempts t WHERE t.user_id = OLD.id AND OLD.status = 'active' AND t.status = 'finished'
      AND COALESCE(t.finish_reason, '') <> 'reset' AND t.finished_at IS NOT NULL
    GROUP BY 1, 2
    ON CONFLICT (bucket, branch_key) DO UPDATE
    SET attempts = attempts + excluded.attempts, passes = passes + excluded.passes;
    INSERT INTO activity_counts (bucket, branch_key, attempts, passes)
    SELECT t.finished_at / 900000, COALESCE(NEW.branch_id, 0), COUNT(*), SUM(CASE WHEN t.passed THEN 1 ELSE 0 END)
    FROM attempts t WHERE t.user_id = NEW.id AND NEW.status = 'active' AND t.status = 'finished'
      AND COALESCE(t.finish_reason, '') <> 'reset' AND t.finished_at IS NOT NULL
    GROUP BY 1, 2
    ON CONFLICT (bucket, branch_key) DO UPDATE
    SET attempts = attempts + excluded.attempts, passes = passes + excluded.passes;
END;

-- A person's attempts go before the person, while they can still be counted out.
CREATE TRIGGER activity_counts_users_d BEFORE DELETE ON users
BEGIN
    DELETE FROM attempts WHERE user_id = OLD.id;
END;
