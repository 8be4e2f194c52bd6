-- Agency staff (職員) working in the browser console: each belongs to one agency and holds roles (a comma
-- list of notices, records, applications, payments). The password is an argon2id PHC string; the second
-- factor is a TOTP shared key (RFC 6238, base32). Failed sign-ins are counted per login name in the
-- key-value store, whether or not the login exists, so a lock-out says nothing about which logins do.
CREATE TABLE staff_members (
    id TEXT PRIMARY KEY NOT NULL,
    agency_id TEXT NOT NULL REFERENCES agencies (id),
    login TEXT NOT NULL,
    name TEXT NOT NULL,
    roles TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    totp_secret TEXT NOT NULL,
    -- The last TOTP time step accepted: a code is never accepted twice.
    totp_last_step BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    disabled_at BIGINT
);
CREATE UNIQUE INDEX staff_members_login ON staff_members (login);

-- Every action of staff, kept for the agency to review: who, what, on what, when.
CREATE TABLE staff_audit (
    id TEXT PRIMARY KEY NOT NULL,
    agency_id TEXT NOT NULL REFERENCES agencies (id),
    staff_id TEXT NOT NULL REFERENCES staff_members (id),
    at BIGINT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX staff_audit_agency_at ON staff_audit (agency_id, at);

-- Long jobs started in the console (a large records import): progress kept here, so the console shows it
-- after a refresh and a job survives a restart. Any process's worker claims a queued job, or one whose
-- lease ran out (its process stopped), and carries on from `done`.
CREATE TABLE staff_jobs (
    id TEXT PRIMARY KEY NOT NULL,
    agency_id TEXT NOT NULL REFERENCES agencies (id),
    staff_id TEXT NOT NULL REFERENCES staff_members (id),
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    total BIGINT NOT NULL,
    done BIGINT NOT NULL,
    payload TEXT NOT NULL,
    result TEXT,
    lease_until BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE INDEX staff_jobs_agency ON staff_jobs (agency_id, created_at);
CREATE INDEX staff_jobs_state ON staff_jobs (state, lease_until);
