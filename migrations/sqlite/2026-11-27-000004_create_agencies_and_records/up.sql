-- Agencies that publish records, read citizens' data and post notices: ministries, the pension service, the
-- tax agency, municipalities (code = 6-digit local public body code) and health insurers.
CREATE TABLE agencies (
    id TEXT PRIMARY KEY NOT NULL,
    code TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    name_ja TEXT NOT NULL,
    name_en TEXT NOT NULL,
    -- Secret from which the agency's pseudonyms (機関別符号) are derived; never leaves the portal.
    pseudonym_key TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- Machine clients of agencies (OAuth2 client credentials). The secret is kept only as an argon2id hash.
CREATE TABLE agency_clients (
    client_id TEXT PRIMARY KEY NOT NULL,
    agency_id TEXT NOT NULL REFERENCES agencies (id),
    secret_hash TEXT NOT NULL,
    label TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX agency_clients_agency_id ON agency_clients (agency_id);

-- Per-agency pseudonyms: an agency knows a citizen only by its own pseudonym; two agencies' pseudonyms for
-- one citizen are unrelated (each is an HMAC under the agency's own key).
CREATE TABLE agency_pseudonyms (
    agency_id TEXT NOT NULL REFERENCES agencies (id),
    pseudonym TEXT NOT NULL,
    citizen_id TEXT NOT NULL REFERENCES citizens (id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (agency_id, pseudonym)
);
CREATE UNIQUE INDEX agency_pseudonyms_citizen ON agency_pseudonyms (citizen_id, agency_id);

-- わたしの情報: records agencies publish about a citizen. (agency_id, external_id) is the agency's own record
-- id, so a resend updates the row instead of adding one.
CREATE TABLE records (
    id TEXT PRIMARY KEY NOT NULL,
    citizen_id TEXT NOT NULL REFERENCES citizens (id),
    agency_id TEXT NOT NULL REFERENCES agencies (id),
    category TEXT NOT NULL,
    external_id TEXT NOT NULL,
    data TEXT NOT NULL,
    updated_on TEXT NOT NULL,
    published_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX records_agency_external ON records (agency_id, external_id);
CREATE INDEX records_citizen_category ON records (citizen_id, category, updated_on, id);

-- やりとり履歴: one immutable row per read of a citizen's data by anyone but the citizen. Rows are
-- hash-chained per citizen (hash = SHA-256 over prev_hash and the row's fields).
CREATE TABLE linkage_records (
    id TEXT PRIMARY KEY NOT NULL,
    citizen_id TEXT NOT NULL REFERENCES citizens (id),
    seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    requester_kind TEXT NOT NULL,
    requester_id TEXT NOT NULL,
    requester_name TEXT NOT NULL,
    providers TEXT NOT NULL,
    items TEXT NOT NULL,
    task_code TEXT NOT NULL,
    purpose TEXT NOT NULL,
    result TEXT NOT NULL,
    withheld BOOLEAN NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE UNIQUE INDEX linkage_records_chain ON linkage_records (citizen_id, seq);
CREATE INDEX linkage_records_citizen_at ON linkage_records (citizen_id, at);
CREATE INDEX linkage_records_citizen_requester ON linkage_records (citizen_id, requester_id, at);
CREATE INDEX linkage_records_at ON linkage_records (at);

-- The head of each citizen's chain, and where retention cut it: the verifier needs both to tell a removed
-- old row from a deleted one.
CREATE TABLE linkage_chains (
    citizen_id TEXT PRIMARY KEY NOT NULL REFERENCES citizens (id),
    last_seq BIGINT NOT NULL,
    last_hash TEXT NOT NULL,
    pruned_seq BIGINT NOT NULL,
    pruned_hash TEXT NOT NULL
);
