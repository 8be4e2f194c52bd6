-- Records made by a proxy (代理人) acting for the citizen name the person who acted beside the person
-- represented (`citizen_id`): the proxy's citizen id and their name as it was then, so the record stays
-- true when names change or the proxy relation ends. NULL when the citizen acted themselves.
-- (SQLite: without the foreign keys, which would stop the down migration dropping the columns.)
ALTER TABLE applications ADD COLUMN acted_by TEXT;
ALTER TABLE applications ADD COLUMN acted_by_name TEXT;
ALTER TABLE application_events ADD COLUMN acted_by TEXT;
ALTER TABLE application_events ADD COLUMN acted_by_name TEXT;
ALTER TABLE notice_recipients ADD COLUMN read_by TEXT;
