-- A citizen's consent to an app (期間連携): the scopes granted and until when. One live consent per citizen
-- and app; approving again replaces it. Revoking it ends every token issued under it.
CREATE TABLE app_consents (
    id TEXT PRIMARY KEY NOT NULL,
    citizen_id TEXT NOT NULL REFERENCES citizens (id),
    app_id TEXT NOT NULL REFERENCES apps (id),
    scopes TEXT NOT NULL,
    granted_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX app_consents_citizen_app ON app_consents (citizen_id, app_id);

-- Tokens issued under a consent, by the SHA-256 of the token (the token itself is never stored).
-- `kind` is `access` or `refresh`; a refresh token is `spent` once rotated, and presenting it again
-- revokes the consent (the whole family). Access tokens are also kept in the key-value store, which answers
-- each API call; rows here let a revocation find and remove them.
CREATE TABLE app_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    consent_id TEXT NOT NULL REFERENCES app_consents (id),
    kind TEXT NOT NULL,
    issued_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    spent_at BIGINT
);
CREATE INDEX app_tokens_consent ON app_tokens (consent_id, kind, expires_at);

-- Reads waiting to join their citizen's やりとり履歴 chain. An API read inserts one row here (a single
-- statement, committed before the data is answered); a background fold appends the rows to the chains in
-- batches and deletes them, in one transaction, so a crash loses none and appends none twice.
CREATE TABLE linkage_queue (
    id TEXT PRIMARY KEY NOT NULL,
    citizen_id TEXT NOT NULL REFERENCES citizens (id),
    at BIGINT NOT NULL,
    requester_kind TEXT NOT NULL,
    requester_id TEXT NOT NULL,
    requester_name TEXT NOT NULL,
    providers TEXT NOT NULL,
    items TEXT NOT NULL,
    task_code TEXT NOT NULL,
    purpose TEXT NOT NULL,
    result TEXT NOT NULL,
    withheld BOOLEAN NOT NULL
);
