-- Short-lived state (sign-in challenges, one-time codes, sessions) when Redis is not configured.
-- Times are milliseconds since the Unix epoch, the portable timestamp used everywhere.
CREATE TABLE kv_entries (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
-- The purge job deletes by expiry.
CREATE INDEX kv_entries_expires_at ON kv_entries (expires_at);

-- Fixed-window counters for rate limits.
CREATE TABLE kv_counters (
    key TEXT PRIMARY KEY NOT NULL,
    count BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX kv_counters_expires_at ON kv_counters (expires_at);
