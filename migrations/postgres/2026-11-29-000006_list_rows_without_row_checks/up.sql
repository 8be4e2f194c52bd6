-- A list of a million citizens is a million notice_recipients rows inserted in one statement. The two foreign
-- keys ran a trigger per row that locked the citizen's and the notice's row (FOR KEY SHARE), which cost more
-- than the inserts themselves. Neither can fail: the rows are made by joining agency_pseudonyms (whose
-- citizen_id references citizens) in the transaction that inserts the notice, and neither citizens nor notices
-- are ever deleted (a withdrawn notice keeps its row). SQLite keeps its declarations: it inserts by smaller
-- chunks and has no such per-row locking.
ALTER TABLE notice_recipients DROP CONSTRAINT notice_recipients_citizen_id_fkey;
ALTER TABLE notice_recipients DROP CONSTRAINT notice_recipients_notice_id_fkey;
