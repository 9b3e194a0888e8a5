-- Versions of what the in-process caches hold (app::cache). Two scopes:
-- * 'content': everything the admin panel, SCIM and the scheduler write (certifications and
--   their theory, questions, assignments, levels, badges, dictionaries, people's role, status,
--   branch and position, permissions, managers' branches). The triggers below bump it in the
--   same transaction as every such write, so no write path can forget it and every instance
--   sees the change on its next request. (SQLite has one writer at a time: no lock order to
--   care about. The PostgreSQL triggers are deferred to the commit for that reason.)
-- * 'results': what taking tests writes. It is hot, so it is bumped by a batched consumer of
--   the domain events (app::cache::consumer), never by the answer or finishing transactions.
-- A value cached from more columns of users than these needs them in the users triggers.

CREATE TABLE cache_versions (
    scope TEXT PRIMARY KEY,
    version BIGINT NOT NULL
);
INSERT INTO cache_versions (scope, version) VALUES ('content', 1), ('results', 1);

-- SQLite has row triggers only: one bump per row written.
CREATE TRIGGER certifications_cache_i AFTER INSERT ON certifications BEGIN UPDATE cache_versions SET version = version + 1 WHERE scope = 'content'; END;
CREATE TRIGGER certifications_cache_u AFTER UPDATE ON certifications BEGIN UPDATE cache_versions SET version = version + 1 WHERE scope = 'content'; END;
CREATE TRIGGER certifications_cache_d AFTER DELETE ON certifications BEGIN UPDATE cache_versions SET version = version + 1 WHERE scope = 'content'; END;
CREATE TRIGGER theory_versions_cache_i AFTER INSERT ON theory_versions BEGIN UPDATE cache_versions SET version = version + 1 WHERE scope = 'content'; END;
CREATE TRIGGER theory_versions_cache_u AFTER UPDATE ON theory_versions BEGIN UPDATE cache_versions SET version = version + 1 WHERE scope = 'content'; END;
CREATE TRIGGER theory_versions_cache_d AFTER DELETE ON theory_versions BEGIN UPDATE cache_versions SET version = version + 1 WHERE scope = 'content'; END;
CREATE TRIGGER theory_blocks_cache_i AFTER INSERT ON theory_blocks BEGIN UPDATE cache_versions SET version = version + 1 WHERE scope = 'content'; END;
CREATE TRIGGER theory_blocks_cache_u AFTER UPDATE ON theory_blocks BEGIN UPDATE cache_versions SET version = version + 1 WHERE scope = 'content'; END;
CREATE TRIGGER theory_blocks_cache_d AFTER DELETE ON theory_blocks BEGIN UPDATE cache_versions SET version = version + 1 WHERE scope = 'content'; END;
CREATE TRIGGER theory_materials_cache_i AFTER INSERT ON theory_materials BEGIN UPDATE cache_versions SET version = version + 1 WHERE scope = 'content'; END;
CREATE TRIGGER theory_materials_cache_u AFTER UPDATE ON theory_materials BEGIN UPDATE cache_versions SET version = version + 1 WHERE scope = 'content'; END;
CREATE TRIGGER theory_materials_cache_d AFTER DELETE ON theory_materials BEGIN UPDATE cache_versions SET version = version + 1 WHERE scope = 'content'; END;
CREATE TRIGGER certification_questions_cache_i AFTER INSERT ON certification_questions BEGIN UPDATE cache_versions SET version = version + 1 WHERE scope = 'content'; END;
CREATE TRIGGER certification_questions_cache_u AFTER UPDATE ON certification_questions BEGIN UPDATE cache_versions SET version = version + 1 WHERE scope = 'content'; END;
CREATE TRIGGER certification_questions_cache_d AFTER DELETE ON certification_questions BEGIN UPDATE cache_versions SET version = version + 1 WHERE scope = 'content'; END;
CREATE TRIGGER certification_assignments_cache_i AFTER INSERT ON certification_assignments BEGIN UPDATE cache_versions SET version = version + 1 WHERE scope = 'content'; END;
CREATE TRIGGER certification_assignments_cache_u AFTER UPDATE ON certification_assignments BEGIN UPDATE cache_versions SET version = version + 1 WHERE scope = 'content'; END;
CREATE TRIGGER certification_assignments_cache_d AFTER DELETE ON certification_assignments BEGIN UPDATE cache_versions SET version = version + 1 WHERE scope = 'content'; END;
CREATE TRIGGER questions_cache_i AFTER INSERT ON questions BEGIN UPDATE cache_versions SET version = version + 1 WHERE scope = 'content'; END;
CREATE TRIGGER questions_cache_u AFTER UPDATE ON questions BEGIN UPDATE cache_versions SET version = version + 1 WHERE scope = 'content'; END;
CREATE TRIGGER questions_cache_d AFTER DELETE ON questions BEGIN UPDATE cache_versions SET version = version + 1 WHERE scope = 'content'; END;
CREATE TRIGGER levels_cache_i AFTER INSERT ON levels BEGIN UPDATE cache_versions SET version = version + 1 WHERE scope = 'content'; END;
CREATE TRIGGER levels_cache_u AFTER UPDATE ON levels BEGIN UPDATE cache_versions SET version = version + 1 WHERE scope = 'content'; END;
CREATE TRIGGER levels_cache_d AFTER DELETE ON levels BEGIN UPDATE cache_versions SET version = version + 1 WHERE scope = 'content'; END;
CREATE TRIGGER badges_cache_i AFTER INSERT ON badges BEGIN UPDATE cache_versions SET version = version + 1 WHERE scope = 'content'; END;
CREATE TRIGGER badges_cache_u AFTER UPDATE ON badges BEGIN UPDATE cache_versions SET version = version + 1 WHERE scope = 'content'; END;
CREATE TRIGGER badges_cache_d AFTER DELETE ON badges BEGIN UPDATE cache_versions SET version = version + 1 WHERE scope = 'content'; END;
CREATE TRIGGER branches_cache_i AFTER INSERT ON branches BEGIN UPDATE cache_versions SET version = version + 1 WHERE scope = 'content'; END;
CREATE TRIGGER branches_cache_u AFTER UPDATE ON branches BEGIN UPDATE cache_versions SET version = version + 1 WHERE scope = 'content'; END;
CREATE TRIGGER branches_cache_d AFTER DELETE ON branches BEGIN UPDATE cache_versions SET version = version + 1 WHERE scope = 'content'; END;
CREATE TRIGGER positions_cache_i AFTER INSERT ON positions BEGIN UPDATE cache_versions SET version = version + 1 WHERE scope = 'content'; END;
CREATE TRIGGER positions_cache_u AFTER UPDATE ON positions BEGIN UPDATE cache_versions SET version = version + 1 WHERE scope = 'content'; END;
CREATE TRIGGER positions_cache_d AFTER DELETE ON positions BEGIN UPDATE cache_versions SET version = version + 1 WHERE scope = 'content'; END;
CREATE TRIGGER user_permissions_cache_i AFTER INSERT ON user_permissions BEGIN UPDATE cache_versions SET version = version + 1 WHERE scope = 'content'; END;
CREATE TRIGGER user_permissions_cache_u AFTER UPDATE ON user_permissions BEGIN UPDATE cache_versions SET version = version + 1 WHERE scope = 'content'; END;
CREATE TRIGGER user_permissions_cache_d AFTER DELETE ON user_permissions BEGIN UPDATE cache_versions SET version = version + 1 WHERE scope = 'content'; END;
CREATE TRIGGER manager_branches_cache_i AFTER INSERT ON manager_branches BEGIN UPDATE cache_versions SET version = version + 1 WHERE scope = 'content'; END;
CREATE TRIGGER manager_branches_cache_u AFTER UPDATE ON manager_branches BEGIN UPDATE cache_versions SET version = version + 1 WHERE scope = 'content'; END;
CREATE TRIGGER manager_branches_cache_d AFTER DELETE ON manager_branches BEGIN UPDATE cache_versions SET version = version + 1 WHERE scope = 'content'; END;
-- Sign-ins rewrite names and usernames, and pending registrations count nowhere: only the
-- columns the cached values read bump it.
CREATE TRIGGER users_cache_i AFTER INSERT ON users WHEN NEW.status = 'active'
BEGIN UPDATE cache_versions SET version = version + 1 WHERE scope = 'content'; END;
CREATE TRIGGER users_cache_u AFTER UPDATE ON users
    WHEN OLD.role IS NOT NEW.role OR OLD.status IS NOT NEW.status
    OR OLD.branch_id IS NOT NEW.branch_id OR OLD.position_id IS NOT NEW.position_id
BEGIN UPDATE cache_versions SET version = version + 1 WHERE scope = 'content'; END;
CREATE TRIGGER users_cache_d AFTER DELETE ON users BEGIN UPDATE cache_versions SET version = version + 1 WHERE scope = 'content'; END;

-- The results consumer starts after the events already stored: caches start empty, so the
-- history has nothing to invalidate.
INSERT INTO event_cursors (consumer, last_event_id, last_tx, created_at, updated_at)
SELECT 'cache_versions',
       COALESCE((SELECT id FROM domain_events ORDER BY tx DESC, id DESC LIMIT 1), 0),
       COALESCE((SELECT tx FROM domain_events ORDER BY tx DESC, id DESC LIMIT 1), 0), 0, 0;
