-- Citizens known to the portal. The My Number is never stored: like Mynaportal, the portal knows a citizen
-- by its own id and reaches them through the serial numbers of their card certificates.
CREATE TABLE citizens (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    name_kana TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    sex TEXT NOT NULL,
    address TEXT NOT NULL,
    municipality_code TEXT NOT NULL,
    email TEXT,
    lang TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX citizens_municipality_code ON citizens (municipality_code);

-- The registry J-LIS keeps for Mynaportal: authentication-certificate serial -> citizen. A renewed card has
-- a new serial and gets a new row; old rows stay so past sign-ins remain explainable.
CREATE TABLE card_links (
    serial TEXT PRIMARY KEY NOT NULL,
    citizen_id TEXT NOT NULL REFERENCES citizens (id),
    not_after BIGINT NOT NULL,
    linked_at BIGINT NOT NULL
);
CREATE INDEX card_links_citizen_id ON card_links (citizen_id);

-- Security audit log: every sign-in success, failure and lock-out. Append-only.
CREATE TABLE security_events (
    id TEXT PRIMARY KEY NOT NULL,
    at BIGINT NOT NULL,
    kind TEXT NOT NULL,
    serial TEXT,
    citizen_id TEXT,
    client_addr TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX security_events_at ON security_events (at);
CREATE INDEX security_events_serial ON security_events (serial, at);
CREATE INDEX security_events_citizen_id ON security_events (citizen_id, at);
