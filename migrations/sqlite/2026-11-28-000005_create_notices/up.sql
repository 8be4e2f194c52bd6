-- お知らせ: a notice is stored once, whoever it reaches. An explicit list lives in notice_recipients (one row
-- per citizen, inserted in bulk); a rule (everyone, municipalities, birth-date range) is matched when the
-- citizen opens the inbox, so a broadcast to millions is one row.
CREATE TABLE notices (
    id TEXT PRIMARY KEY NOT NULL,
    agency_id TEXT NOT NULL REFERENCES agencies (id),
    -- 'list' or 'rule'.
    audience TEXT NOT NULL,
    -- Rule: comma-separated 6-digit municipality codes, empty for everywhere.
    rule_areas TEXT NOT NULL,
    -- Rule: birth dates (YYYY-MM-DD, inclusive) that the age range meant on the day it was posted.
    rule_born_from TEXT,
    rule_born_to TEXT,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    -- The language the agency wrote in: 'ja' or 'en'.
    lang TEXT NOT NULL,
    category TEXT NOT NULL,
    importance TEXT NOT NULL,
    deadline TEXT,
    action_url TEXT,
    action_label TEXT,
    expires_at BIGINT,
    posted_at BIGINT NOT NULL,
    corrected_at BIGINT,
    withdrawn_at BIGINT,
    -- Citizens addressed: the list's size when posted; a rule's matches once the background fan-out has
    -- counted them (NULL until then: counting millions must not hold up the post).
    recipients BIGINT
);
CREATE INDEX notices_agency ON notices (agency_id, posted_at);
-- Rule notices are few (each reaches many): the inbox scans them through this partial index.
CREATE INDEX notices_rules ON notices (posted_at) WHERE audience = 'rule';

-- Per citizen and notice: membership of an explicit list, and what the citizen did with it. Rows for rule
-- notices appear when the citizen first reads or archives one.
CREATE TABLE notice_recipients (
    citizen_id TEXT NOT NULL REFERENCES citizens (id),
    notice_id TEXT NOT NULL REFERENCES notices (id),
    listed BOOLEAN NOT NULL,
    read_at BIGINT,
    archived_at BIGINT,
    PRIMARY KEY (citizen_id, notice_id)
);
CREATE INDEX notice_recipients_notice ON notice_recipients (notice_id, citizen_id);
-- The unread count shown on every signed-in page: a citizen's list notices they have neither opened nor
-- archived, without reading the rows of everything they have already dealt with.
CREATE INDEX notice_recipients_unread ON notice_recipients (citizen_id)
    WHERE read_at IS NULL AND archived_at IS NULL;

-- The citizen's alert address, once confirmed. A pending change waits (with its code) in the key-value
-- store and replaces this row only when confirmed.
CREATE TABLE email_addresses (
    citizen_id TEXT PRIMARY KEY NOT NULL REFERENCES citizens (id),
    address TEXT NOT NULL,
    -- Comma-separated notice categories that alert; empty for none.
    categories TEXT NOT NULL,
    -- Random; identifies the address in one-click unsubscribe links without signing in.
    unsubscribe_token TEXT NOT NULL UNIQUE,
    confirmed_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Durable outbox: a mail is a row before it is a message. Workers claim rows (FOR UPDATE SKIP LOCKED), send,
-- then record the result; a claim whose worker died expires and is taken again. id is also the Message-ID.
CREATE TABLE mail_outbox (
    id TEXT PRIMARY KEY NOT NULL,
    -- What the mail is for; with the notice and citizen it makes the row unique, so a retried fan-out
    -- never queues the same alert twice.
    purpose TEXT NOT NULL,
    dedupe_key TEXT NOT NULL UNIQUE,
    notice_id TEXT REFERENCES notices (id),
    citizen_id TEXT REFERENCES citizens (id),
    to_address TEXT NOT NULL,
    lang TEXT NOT NULL,
    -- JSON: what the template needs (never personal details beyond the address itself).
    params TEXT NOT NULL,
    -- 'queued', 'sending', 'sent', 'failed' (gave up after retries) or 'cancelled' (notice withdrawn, address
    -- removed or unsubscribed before sending).
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    claimed_until BIGINT,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    sent_at BIGINT
);
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at) WHERE status IN ('queued', 'sending');
CREATE INDEX mail_outbox_notice ON mail_outbox (notice_id, status);

-- Background fan-outs (alerts for a notice): where each got to, so a restart continues instead of redoing.
CREATE TABLE notice_fanouts (
    notice_id TEXT PRIMARY KEY NOT NULL REFERENCES notices (id),
    -- 'alert' or 'reminder' work left; the cursor is the last citizen id handled.
    stage TEXT NOT NULL,
    cursor TEXT NOT NULL,
    due_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX notice_fanouts_due ON notice_fanouts (due_at);
