-- Versions of what the in-process caches hold (app::cache). Two scopes:
-- * 'content': everything the admin panel, SCIM and the scheduler write (certifications and
--   their theory, questions, assignments, levels, badges, dictionaries, people's role, status,
--   branch and position, permissions, managers' branches). The triggers below bump it in the
--   same transaction as every such write, so no write path can forget it and every instance
--   sees the change on its next request. One row, not one per table: a transaction that
--   writes several of these tables then locks a single row and cannot deadlock on them.
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
    UPDATE cache_versions SET version = version + 1 WHERE scope = TG_ARGV[0];
    RETURN NULL;
END
$$;

-- Statement triggers: one bump per statement, however many rows it writes.
CREATE TRIGGER certifications_cache AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON certifications
    FOR EACH STATEMENT EXECUTE FUNCTION bump_cache_version('content');
CREATE TRIGGER theory_versions_cache AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON theory_versions
    FOR EACH STATEMENT EXECUTE FUNCTION bump_cache_version('content');
CREATE TRIGGER theory_blocks_cache AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON theory_blocks
    FOR EACH STATEMENT EXECUTE FUNCTION bump_cache_version('content');
CREATE TRIGGER theory_materials_cache AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON theory_materials
    FOR EACH STATEMENT EXECUTE FUNCTION bump_cache_version('content');
CREATE TRIGGER certification_questions_cache AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON certification_questions
    FOR EACH STATEMENT EXECUTE FUNCTION bump_cache_version('content');
CREATE TRIGGER certification_assignments_cache AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON certification_assignments
    FOR EACH STATEMENT EXECUTE FUNCTION bump_cache_version('content');
CREATE TRIGGER questions_cache AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON questions
    FOR EACH STATEMENT EXECUTE FUNCTION bump_cache_version('content');
CREATE TRIGGER levels_cache AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON levels
    FOR EACH STATEMENT EXECUTE FUNCTION bump_cache_version('content');
CREATE TRIGGER badges_cache AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON badges
    FOR EACH STATEMENT EXECUTE FUNCTION bump_cache_version('content');
CREATE TRIGGER branches_cache AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON branches
    FOR EACH STATEMENT EXECUTE FUNCTION bump_cache_version('content');
CREATE TRIGGER positions_cache AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON positions
    FOR EACH STATEMENT EXECUTE FUNCTION bump_cache_version('content');
CREATE TRIGGER user_permissions_cache AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON user_permissions
    FOR EACH STATEMENT EXECUTE FUNCTION bump_cache_version('content');
CREATE TRIGGER manager_branches_cache AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON manager_branches
    FOR EACH STATEMENT EXECUTE FUNCTION bump_cache_version('content');
-- Sign-ins rewrite names and usernames, and pending registrations count nowhere: only the
-- columns the cached values read bump it.
CREATE TRIGGER users_cache_insert AFTER INSERT ON users
    FOR EACH ROW WHEN (NEW.status = 'active') EXECUTE FUNCTION bump_cache_version('content');
CREATE TRIGGER users_cache_update AFTER UPDATE ON users
    FOR EACH ROW WHEN (OLD.role IS DISTINCT FROM NEW.role OR OLD.status IS DISTINCT FROM NEW.status
    OR OLD.branch_id IS DISTINCT FROM NEW.branch_id OR OLD.position_id IS DISTINCT FROM NEW.position_id)
    EXECUTE FUNCTION bump_cache_version('content');
CREATE TRIGGER users_cache_delete AFTER DELETE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION bump_cache_version('content');
