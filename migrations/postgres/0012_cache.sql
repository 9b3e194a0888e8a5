-- Versions of what the in-process caches hold (app::cache). Two scopes:
-- * 'content': everything the admin panel, SCIM and the scheduler write (certifications and
--   their theory, questions, assignments, levels, badges, dictionaries, people's role, status,
--   branch and position, permissions, managers' branches). The triggers below bump it in the
--   same transaction as every such write, so no write path can forget it and every instance
--   sees the change on its next request. The triggers are deferred to the commit and bump
--   once per transaction: the row is locked last and only while committing, after every
--   other lock the transaction takes, so it adds no lock-order cycle (no deadlock) and a
--   long import does not hold it from its first write.
-- * 'results': what taking tests writes. It is hot, so it is bumped by a batched consumer of
--   the domain events (app::cache::consumer), never by the answer or finishing transactions.
-- A value cached from more columns of users than these needs them in the users triggers.

CREATE TABLE cache_versions (
    scope TEXT PRIMARY KEY,
    version BIGINT NOT NULL
);
INSERT INTO cache_versions (scope, version) VALUES ('content', 1), ('results', 1);

CREATE FUNCTION bump_cache_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Once per transaction and scope, however many rows it wrote.
    IF current_setting('attest.bumped_' || TG_ARGV[0], true) IS DISTINCT FROM 'yes' THEN
        UPDATE cache_versions SET version = version + 1 WHERE scope = TG_ARGV[0];
        PERFORM set_config('attest.bumped_' || TG_ARGV[0], 'yes', true);
    END IF;
    RETURN NULL;
END
$$;

-- Row triggers (a statement that writes no row bumps nothing), deferred to the commit.
CREATE CONSTRAINT TRIGGER certifications_cache AFTER INSERT OR UPDATE OR DELETE ON certifications
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_cache_version('content');
CREATE CONSTRAINT TRIGGER theory_versions_cache AFTER INSERT OR UPDATE OR DELETE ON theory_versions
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_cache_version('content');
CREATE CONSTRAINT TRIGGER theory_blocks_cache AFTER INSERT OR UPDATE OR DELETE ON theory_blocks
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_cache_version('content');
CREATE CONSTRAINT TRIGGER theory_materials_cache AFTER INSERT OR UPDATE OR DELETE ON theory_materials
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_cache_version('content');
CREATE CONSTRAINT TRIGGER certification_questions_cache AFTER INSERT OR UPDATE OR DELETE ON certification_questions
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_cache_version('content');
CREATE CONSTRAINT TRIGGER certification_assignments_cache AFTER INSERT OR UPDATE OR DELETE ON certification_assignments
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_cache_version('content');
CREATE CONSTRAINT TRIGGER questions_cache AFTER INSERT OR UPDATE OR DELETE ON questions
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_cache_version('content');
CREATE CONSTRAINT TRIGGER levels_cache AFTER INSERT OR UPDATE OR DELETE ON levels
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_cache_version('content');
CREATE CONSTRAINT TRIGGER badges_cache AFTER INSERT OR UPDATE OR DELETE ON badges
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_cache_version('content');
CREATE CONSTRAINT TRIGGER branches_cache AFTER INSERT OR UPDATE OR DELETE ON branches
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_cache_version('content');
CREATE CONSTRAINT TRIGGER positions_cache AFTER INSERT OR UPDATE OR DELETE ON positions
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_cache_version('content');
CREATE CONSTRAINT TRIGGER user_permissions_cache AFTER INSERT OR UPDATE OR DELETE ON user_permissions
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_cache_version('content');
CREATE CONSTRAINT TRIGGER manager_branches_cache AFTER INSERT OR UPDATE OR DELETE ON manager_branches
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_cache_version('content');
-- Sign-ins rewrite names and usernames, and pending registrations count nowhere: only the
-- columns the cached values read bump it.
CREATE CONSTRAINT TRIGGER users_cache_insert AFTER INSERT ON users
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.status = 'active')
    EXECUTE FUNCTION bump_cache_version('content');
CREATE CONSTRAINT TRIGGER users_cache_update AFTER UPDATE ON users
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (OLD.role IS DISTINCT FROM NEW.role OR OLD.status IS DISTINCT FROM NEW.status
    OR OLD.branch_id IS DISTINCT FROM NEW.branch_id OR OLD.position_id IS DISTINCT FROM NEW.position_id)
    EXECUTE FUNCTION bump_cache_version('content');
CREATE CONSTRAINT TRIGGER users_cache_delete AFTER DELETE ON users
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_cache_version('content');

-- The results consumer starts after the events already stored: caches start empty, so the
-- history has nothing to invalidate.
INSERT INTO event_cursors (consumer, last_event_id, last_tx, created_at, updated_at)
SELECT 'cache_versions',
       COALESCE((SELECT id FROM domain_events ORDER BY tx DESC, id DESC LIMIT 1), 0),
       COALESCE((SELECT tx FROM domain_events ORDER BY tx DESC, id DESC LIMIT 1), 0), 0, 0;
