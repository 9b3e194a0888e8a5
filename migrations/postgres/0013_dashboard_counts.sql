-- The dashboard's compliance counts kept as they change (app::storage::dashboard): how many
-- progress rows of active people there are per certification, branch, position, "tried" and
-- "passed" (0 stands for no branch or no position). Reading them costs the number of groups,
-- not the number of people; recounting 100,000 people's progress after every result took
-- over 200 ms. Triggers keep them, so no write path can forget them. The triggers only
-- append deltas: a shared counter row updated by every finishing transaction would queue a
-- synchronized exam's finishers on its lock. A job folds the deltas into the counts
-- (storage::dashboard::fold_counts) and a read adds the deltas not folded yet.

CREATE TABLE progress_counts (
    certification_id BIGINT NOT NULL,
    branch_key BIGINT NOT NULL,
    position_key BIGINT NOT NULL,
    tried BOOLEAN NOT NULL,
    passed BOOLEAN NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (certification_id, branch_key, position_key, tried, passed)
);

CREATE TABLE progress_count_deltas (
    id BIGSERIAL PRIMARY KEY,
    certification_id BIGINT NOT NULL,
    branch_key BIGINT NOT NULL,
    position_key BIGINT NOT NULL,
    tried BOOLEAN NOT NULL,
    passed BOOLEAN NOT NULL,
    n BIGINT NOT NULL
);

INSERT INTO progress_counts (certification_id, branch_key, position_key, tried, passed, n)
SELECT p.certification_id, COALESCE(u.branch_id, 0), COALESCE(u.position_id, 0),
       p.attempts_used > 0, p.passed_at IS NOT NULL, COUNT(*)
FROM certification_progress p JOIN users u ON u.id = p.user_id
WHERE u.status = 'active'
GROUP BY 1, 2, 3, 4, 5;

-- A progress row's place in the counts follows its person's branch, position and status.
-- The person's row is read FOR SHARE: a concurrent move of that person either commits first
-- (and this reads where they are now) or waits for this commit (and its trigger below then
-- sees this row as written), so the two never count the row in the wrong group.
CREATE FUNCTION progress_counts_row() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    who users%ROWTYPE;
BEGIN
    IF TG_OP = 'UPDATE'
       AND (OLD.attempts_used > 0) = (NEW.attempts_used > 0)
       AND (OLD.passed_at IS NULL) = (NEW.passed_at IS NULL) THEN
        RETURN NULL;
    END IF;
    SELECT * INTO who FROM users
    WHERE id = (CASE WHEN TG_OP = 'DELETE' THEN OLD.user_id ELSE NEW.user_id END) FOR SHARE;
    IF NOT FOUND OR who.status <> 'active' THEN
        RETURN NULL;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO progress_count_deltas (certification_id, branch_key, position_key, tried, passed, n)
        VALUES (OLD.certification_id, COALESCE(who.branch_id, 0), COALESCE(who.position_id, 0),
                OLD.attempts_used > 0, OLD.passed_at IS NOT NULL, -1);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO progress_count_deltas (certification_id, branch_key, position_key, tried, passed, n)
        VALUES (NEW.certification_id, COALESCE(who.branch_id, 0), COALESCE(who.position_id, 0),
                NEW.attempts_used > 0, NEW.passed_at IS NOT NULL, 1);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER progress_counts_row AFTER INSERT OR UPDATE OF attempts_used, passed_at OR DELETE
    ON certification_progress FOR EACH ROW EXECUTE FUNCTION progress_counts_row();

-- A person who moves, leaves or comes back moves their progress rows between groups.
CREATE FUNCTION progress_counts_person() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status = 'active' THEN
        INSERT INTO progress_count_deltas (certification_id, branch_key, position_key, tried, passed, n)
        SELECT p.certification_id, COALESCE(OLD.branch_id, 0), COALESCE(OLD.position_id, 0),
               p.attempts_used > 0, p.passed_at IS NOT NULL, -COUNT(*)
        FROM certification_progress p WHERE p.user_id = OLD.id GROUP BY 1, 2, 3, 4, 5;
    END IF;
    IF NEW.status = 'active' THEN
        INSERT INTO progress_count_deltas (certification_id, branch_key, position_key, tried, passed, n)
        SELECT p.certification_id, COALESCE(NEW.branch_id, 0), COALESCE(NEW.position_id, 0),
               p.attempts_used > 0, p.passed_at IS NOT NULL, COUNT(*)
        FROM certification_progress p WHERE p.user_id = NEW.id GROUP BY 1, 2, 3, 4, 5;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER progress_counts_person AFTER UPDATE OF status, branch_id, position_id ON users
    FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.branch_id IS DISTINCT FROM NEW.branch_id
          OR OLD.position_id IS DISTINCT FROM NEW.position_id)
    EXECUTE FUNCTION progress_counts_person();

-- Deleting a person or a certification deletes its progress rows first, while the row they
-- are counted by is still there (the cascade runs after it is gone and would count nothing).
CREATE FUNCTION progress_counts_forget_person() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM certification_progress WHERE user_id = OLD.id;
    RETURN OLD;
END
$$;
CREATE TRIGGER progress_counts_forget_person BEFORE DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION progress_counts_forget_person();

CREATE FUNCTION progress_counts_forget_certification() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM certification_progress WHERE certification_id = OLD.id;
    DELETE FROM progress_count_deltas WHERE certification_id = OLD.id;
    DELETE FROM progress_counts WHERE certification_id = OLD.id;
    RETURN OLD;
END
$$;
CREATE TRIGGER progress_counts_forget_certification BEFORE DELETE ON certifications
    FOR EACH ROW EXECUTE FUNCTION progress_counts_forget_certification();

-- The dashboard's activity kept the same way: attempts finished (not ended by a progress
-- reset) by active people, and passes, per quarter of an hour and branch. Days in every
-- real time zone start on a quarter hour, so any display day is a sum of buckets.
CREATE TABLE activity_counts (
    bucket BIGINT NOT NULL,
    branch_key BIGINT NOT NULL,
    attempts BIGINT NOT NULL,
    passes BIGINT NOT NULL,
    PRIMARY KEY (bucket, branch_key)
);

CREATE TABLE activity_count_deltas (
    id BIGSERIAL PRIMARY KEY,
    bucket BIGINT NOT NULL,
    branch_key BIGINT NOT NULL,
    attempts BIGINT NOT NULL,
    passes BIGINT NOT NULL
);

INSERT INTO activity_counts (bucket, branch_key, attempts, passes)
SELECT t.finished_at / 900000, COALESCE(u.branch_id, 0), COUNT(*), SUM(CASE WHEN t.passed THEN 1 ELSE 0 END)
FROM attempts t JOIN users u ON u.id = t.user_id
WHERE t.status = 'finished' AND COALESCE(t.finish_reason, '') <> 'reset'
  AND t.finished_at IS NOT NULL AND u.status = 'active'
GROUP BY 1, 2;

CREATE FUNCTION activity_counts_row() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    who users%ROWTYPE;
    was_counted BOOLEAN := TG_OP <> 'INSERT' AND OLD.status = 'finished'
        AND COALESCE(OLD.finish_reason, '') <> 'reset' AND OLD.finished_at IS NOT NULL;
    now_counted BOOLEAN := TG_OP <> 'DELETE' AND NEW.status = 'finished'
        AND COALESCE(NEW.finish_reason, '') <> 'reset' AND NEW.finished_at IS NOT NULL;
BEGIN
    IF NOT was_counted AND NOT now_counted THEN
        RETURN NULL;
    END IF;
    IF was_counted AND now_counted AND OLD.finished_at = NEW.finished_at AND OLD.passed IS NOT DISTINCT FROM NEW.passed THEN
        RETURN NULL;
    END IF;
    -- FOR SHARE, as for the progress rows above.
    SELECT * INTO who FROM users
    WHERE id = (CASE WHEN TG_OP = 'DELETE' THEN OLD.user_id ELSE NEW.user_id END) FOR SHARE;
    IF NOT FOUND OR who.status <> 'active' THEN
        RETURN NULL;
    END IF;
    IF was_counted THEN
        INSERT INTO activity_count_deltas (bucket, branch_key, attempts, passes)
        VALUES (OLD.finished_at / 900000, COALESCE(who.branch_id, 0), -1, CASE WHEN OLD.passed THEN -1 ELSE 0 END);
    END IF;
    IF now_counted THEN
        INSERT INTO activity_count_deltas (bucket, branch_key, attempts, passes)
        VALUES (NEW.finished_at / 900000, COALESCE(who.branch_id, 0), 1, CASE WHEN NEW.passed THEN 1 ELSE 0 END);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER activity_counts_row AFTER INSERT OR UPDATE OF status, finish_reason, finished_at, passed OR DELETE
    ON attempts FOR EACH ROW EXECUTE FUNCTION activity_counts_row();

CREATE FUNCTION activity_counts_person() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status = 'active' THEN
        INSERT INTO activity_count_deltas (bucket, branch_key, attempts, passes)
        SELECT t.finished_at / 900000, COALESCE(OLD.branch_id, 0), -COUNT(*), -SUM(CASE WHEN t.passed THEN 1 ELSE 0 END)
        FROM attempts t WHERE t.user_id = OLD.id AND t.status = 'finished'
          AND COALESCE(t.finish_reason, '') <> 'reset' AND t.finished_at IS NOT NULL
        GROUP BY 1, 2;
    END IF;
    IF NEW.status = 'active' THEN
        INSERT INTO activity_count_deltas (bucket, branch_key, attempts, passes)
        SELECT t.finished_at / 900000, COALESCE(NEW.branch_id, 0), COUNT(*), SUM(CASE WHEN t.passed THEN 1 ELSE 0 END)
        FROM attempts t WHERE t.user_id = NEW.id AND t.status = 'finished'
          AND COALESCE(t.finish_reason, '') <> 'reset' AND t.finished_at IS NOT NULL
        GROUP BY 1, 2;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER activity_counts_person AFTER UPDATE OF status, branch_id ON users
    FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.branch_id IS DISTINCT FROM NEW.branch_id)
    EXECUTE FUNCTION activity_counts_person();

-- A person's attempts go before the person, while they can still be counted out.
CREATE FUNCTION activity_counts_forget_person() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM attempts WHERE user_id = OLD.id;
    RETURN OLD;
END
$$;
CREATE TRIGGER activity_counts_forget_person BEFORE DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION activity_counts_forget_person();
