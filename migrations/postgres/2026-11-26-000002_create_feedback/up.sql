-- Feedback sent through the public form; the operator is alerted by e-mail.
CREATE TABLE feedback (
    id TEXT PRIMARY KEY NOT NULL,
    reference TEXT NOT NULL UNIQUE,
    topic TEXT NOT NULL,
    area TEXT,
    message TEXT NOT NULL,
    happened_on TEXT,
    reply_email TEXT,
    name TEXT,
    lang TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX feedback_created_at ON feedback (created_at);
