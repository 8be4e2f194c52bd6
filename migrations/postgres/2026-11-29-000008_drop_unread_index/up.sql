-- The header's unread count is now kept in the session and counted at most about once a minute per session,
-- through the primary key (citizen_id first). Keeping this third index cost a quarter of the time of storing a
-- list of a million citizens.
DROP INDEX notice_recipients_unread;
