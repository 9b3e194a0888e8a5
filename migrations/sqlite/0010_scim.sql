-- SCIM 2.0 provisioning, and linking provisioned people to their Telegram accounts.

-- The phone an identity provider gave (as written) and its digits, which a contact shared
-- in the bot is matched against.
ALTER TABLE users ADD COLUMN phone TEXT;
ALTER TABLE users ADD COLUMN phone_digits TEXT;
-- Deleted over SCIM: deactivated and no longer seen by SCIM (RFC 7644 §3.6); the row and its
-- history stay, and a later create with the same userName or externalId brings it back.
ALTER TABLE users ADD COLUMN scim_hidden BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX users_unlinked_phone ON users (phone_digits) WHERE telegram_id IS NULL;

-- A SCIM group deleted is a branch archived: out of pickers and SCIM, kept for history.
ALTER TABLE branches ADD COLUMN archived BOOLEAN NOT NULL DEFAULT FALSE;
-- The identity provider's id of the group (Entra ID maps its objectId here).
ALTER TABLE branches ADD COLUMN external_id TEXT;

-- One open invite link per person (`t.me/<bot>?start=link_<token>`); only its hash is kept,
-- a new one replaces the old, and using it deletes it.
CREATE TABLE telegram_invites (
    user_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_by INTEGER REFERENCES users (id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);

DROP TRIGGER users_track_update;
CREATE TRIGGER users_track_update AFTER UPDATE ON users
WHEN NEW.change_id = OLD.change_id AND (
    NEW.telegram_id IS NOT OLD.telegram_id OR NEW.first_name IS NOT OLD.first_name
    OR NEW.last_name IS NOT OLD.last_name OR NEW.username IS NOT OLD.username
    OR NEW.language_code IS NOT OLD.language_code OR NEW.role IS NOT OLD.role
    OR NEW.status IS NOT OLD.status OR NEW.position_id IS NOT OLD.position_id
    OR NEW.branch_id IS NOT OLD.branch_id OR NEW.external_id IS NOT OLD.external_id
    OR NEW.login IS NOT OLD.login OR NEW.phone IS NOT OLD.phone
    OR NEW.scim_hidden IS NOT OLD.scim_hidden)
BEGIN
    UPDATE users SET version = OLD.version + 1,
        change_id = (SELECT MAX(change_id) + 1 FROM users)
    WHERE id = NEW.id;
END;
