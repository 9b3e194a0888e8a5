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
    user_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_by BIGINT REFERENCES users (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE OR REPLACE FUNCTION users_track_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF (NEW.telegram_id, NEW.first_name, NEW.last_name, NEW.username, NEW.language_code,
            NEW.role, NEW.status, NEW.position_id, NEW.branch_id, NEW.external_id, NEW.login,
            NEW.phone, NEW.scim_hidden)
           IS NOT DISTINCT FROM
           (OLD.telegram_id, OLD.first_name, OLD.last_name, OLD.username, OLD.language_code,
            OLD.role, OLD.status, OLD.position_id, OLD.branch_id, OLD.external_id, OLD.login,
            OLD.phone, OLD.scim_hidden) THEN
            RETURN NEW;
        END IF;
        NEW.version := OLD.version + 1;
    END IF;
    NEW.change_tx := pg_current_xact_id()::text::bigint;
    NEW.change_id := nextval('users_change_seq');
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
