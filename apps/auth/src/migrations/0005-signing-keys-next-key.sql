-- The next signing key is published before anything is signed with it: a key is created as the
-- "next" key (activated_at IS NULL) and activated once every verifier has had time to fetch the
-- JWKS that contains it. Exactly one active key (activated, not retired) and at most one next key.
ALTER TABLE signing_keys ADD COLUMN activated_at timestamptz;
UPDATE signing_keys SET activated_at = created_at;
DROP INDEX signing_keys_one_active;
CREATE UNIQUE INDEX signing_keys_one_active ON signing_keys ((true)) WHERE retired_at IS NULL AND activated_at IS NOT NULL;
CREATE UNIQUE INDEX signing_keys_one_next ON signing_keys ((true)) WHERE activated_at IS NULL;
