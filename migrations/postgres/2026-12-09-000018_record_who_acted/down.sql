ALTER TABLE notice_recipients DROP COLUMN read_by;
ALTER TABLE application_events DROP COLUMN acted_by_name;
ALTER TABLE application_events DROP COLUMN acted_by;
ALTER TABLE applications DROP COLUMN acted_by_name;
ALTER TABLE applications DROP COLUMN acted_by;
