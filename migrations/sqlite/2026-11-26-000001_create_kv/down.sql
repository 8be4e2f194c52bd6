DROP TABLE kv_counters;
DROP TABLE kv_entries;
