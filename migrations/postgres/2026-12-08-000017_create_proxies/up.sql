-- 代理人: a citizen (the principal) names another citizen as their proxy, for reading only (`read`) or for
-- reading and doing things on their behalf (`act`), until the end of `ends_on` (Japan time). The principal
-- invites with a one-time code; the proxy accepts by signing in with their own card and giving the code,
-- which then fills `proxy_id`. Only the principal ends it early (`ended_at`). Rows are kept after the end:
-- records made while acting point at them.
CREATE TABLE proxies (
    id TEXT PRIMARY KEY NOT NULL,
    principal_id TEXT NOT NULL REFERENCES citizens (id),
    proxy_id TEXT REFERENCES citizens (id),
    scope TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    invitation_hash TEXT,
    invitation_expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    accepted_at BIGINT,
    ended_at BIGINT
);
CREATE INDEX proxies_principal ON proxies (principal_id, created_at);
CREATE INDEX proxies_proxy ON proxies (proxy_id, created_at);
CREATE UNIQUE INDEX proxies_invitation ON proxies (invitation_hash);
