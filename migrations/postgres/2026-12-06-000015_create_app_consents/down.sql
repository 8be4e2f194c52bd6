DROP TABLE linkage_queue;
DROP TABLE app_tokens;
DROP TABLE app_consents;
