-- ぴったりサービス: form definitions as agencies publish them, and citizens' applications made with them.

-- One published version of a form. A version never changes once published; a form key belongs to the agency
-- that first published it. `document` is the definition as published (TOML), read back to show the form.
CREATE TABLE form_definitions (
    id TEXT PRIMARY KEY NOT NULL,
    agency_id TEXT NOT NULL REFERENCES agencies (id),
    form_key TEXT NOT NULL,
    version INTEGER NOT NULL,
    title_ja TEXT NOT NULL,
    title_en TEXT NOT NULL,
    document TEXT NOT NULL,
    published_at BIGINT NOT NULL,
    UNIQUE (form_key, version)
);
CREATE INDEX form_definitions_agency ON form_definitions (agency_id, form_key);

-- An application from its first saved page: a draft until submitted, then through the agency's statuses.
-- `answers` is JSON (portal_forms::answers::Answers); `sources` is JSON of where each prefilled value came
-- from and its date. The receipt number is given on submission.
CREATE TABLE applications (
    id TEXT PRIMARY KEY NOT NULL,
    citizen_id TEXT NOT NULL REFERENCES citizens (id),
    form_definition_id TEXT NOT NULL REFERENCES form_definitions (id),
    agency_id TEXT NOT NULL REFERENCES agencies (id),
    status TEXT NOT NULL,
    answers TEXT NOT NULL,
    sources TEXT NOT NULL,
    receipt_number TEXT UNIQUE,
    -- JSON list of the field ids a correction request (補正依頼) names, while one is open.
    correction_fields TEXT,
    -- The card's signature of the submission's digest, when the citizen signed: JSON.
    signature TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    submitted_at BIGINT
);
-- 申請中 and the citizen's list, newest first.
CREATE INDEX applications_citizen ON applications (citizen_id, updated_at);
-- An agency's list of one form's submissions by status.
CREATE INDEX applications_form_status ON applications (form_definition_id, status, submitted_at);

-- What happened to a submitted application: each status change and each message, either way.
CREATE TABLE application_events (
    id TEXT PRIMARY KEY NOT NULL,
    application_id TEXT NOT NULL REFERENCES applications (id),
    -- 'status' or 'message'.
    kind TEXT NOT NULL,
    status TEXT,
    -- 'citizen' or 'agency'.
    actor TEXT NOT NULL,
    body TEXT,
    at BIGINT NOT NULL
);
CREATE INDEX application_events_application ON application_events (application_id, at);
