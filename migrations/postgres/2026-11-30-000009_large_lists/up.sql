-- A list of many citizens is stored once, as a broadcast is: its citizen ids in chunks, one row per bucket
-- (the id's last three hex digits, uniform since they are random bits of a UUIDv7) and addition. A million
-- names become about four thousand rows instead of a million rows in a citizen-first index, which is what
-- bounded how fast a list could be stored. The inbox finds the few such notices that name the citizen by
-- reading the rows of the citizen's bucket; the citizen's own row (read, archived) is written when they act,
-- as for a broadcast.
CREATE TABLE notice_list_chunks (
    bucket TEXT NOT NULL,
    notice_id TEXT NOT NULL REFERENCES notices (id),
    -- 0 for the names the notice was posted with, then one more per addition.
    part INTEGER NOT NULL,
    -- How many citizen ids the chunk holds.
    size INTEGER NOT NULL,
    -- Citizen ids, comma-separated.
    citizens TEXT NOT NULL,
    PRIMARY KEY (bucket, notice_id, part)
);
CREATE INDEX notice_list_chunks_notice ON notice_list_chunks (notice_id, part);
-- Kept out of line uncompressed: hex ids compress by about half, but compressing a million of them took longer
-- than the rest of storing the list, and the inbox reads one chunk, not many.
ALTER TABLE notice_list_chunks ALTER COLUMN citizens SET STORAGE EXTERNAL;

-- The inbox reads the notices stored once (broadcasts and large lists) through this partial index.
DROP INDEX notices_rules;
CREATE INDEX notices_shared ON notices (posted_at) WHERE audience IN ('rule', 'large_list');
