CREATE INDEX notice_recipients_unread ON notice_recipients (citizen_id)
    WHERE read_at IS NULL AND archived_at IS NULL;
