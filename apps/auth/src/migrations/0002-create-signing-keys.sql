-- Access-token signing keys (Ed25519). Exactly one key is active (retired_at IS NULL); retired keys
-- stay published in the JWKS until every token they signed has expired. private_jwk holds the JWK
-- as JSON, or an AES-256-GCM envelope ("v1.<iv>.<tag>.<ciphertext>") when
-- AUTH_KEY_ENCRYPTION_SECRET is configured.
CREATE TABLE signing_keys (
  kid text PRIMARY KEY,
  private_jwk text NOT NULL,
  public_jwk jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  retired_at timestamptz
);
CREATE UNIQUE INDEX signing_keys_one_active ON signing_keys ((true)) WHERE retired_at IS NULL;
