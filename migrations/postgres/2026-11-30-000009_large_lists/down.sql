DROP INDEX notices_shared;
CREATE INDEX notices_rules ON notices (posted_at) WHERE audience = 'rule';
DROP TABLE notice_list_chunks;
