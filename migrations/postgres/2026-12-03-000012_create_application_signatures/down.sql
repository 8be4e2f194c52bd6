ALTER TABLE applications ADD COLUMN signature TEXT;
DROP TABLE application_signatures;
