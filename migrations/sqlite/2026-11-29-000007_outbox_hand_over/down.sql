ALTER TABLE mail_outbox DROP COLUMN handed_over_at;
