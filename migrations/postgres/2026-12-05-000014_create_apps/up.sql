-- Private apps (自己情報取得API): registered by the portal's operator, each with one stated purpose, the
-- scopes it may ask citizens for, and its exact redirect URIs. `scopes` is comma-separated scope codes;
-- `redirect_uris` one URI per line. A confidential app's secret is kept only as an argon2id hash.
CREATE TABLE apps (
    id TEXT PRIMARY KEY NOT NULL,
    client_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    operator TEXT NOT NULL,
    purpose TEXT NOT NULL,
    scopes TEXT NOT NULL,
    redirect_uris TEXT NOT NULL,
    confidential BOOLEAN NOT NULL,
    secret_hash TEXT,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
