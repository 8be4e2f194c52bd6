-- When a worker had written the whole message to the SMTP server and had only the final dot left to write.
-- A worker that takes over a mail carrying this mark records it as sent instead of sending it again: the
-- server commits a message on the dot, so a second send would deliver it twice.
ALTER TABLE mail_outbox ADD COLUMN handed_over_at BIGINT;
