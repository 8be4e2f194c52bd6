DROP TABLE linkage_chains;
DROP TABLE linkage_records;
DROP TABLE records;
DROP TABLE agency_pseudonyms;
DROP TABLE agency_clients;
DROP TABLE agencies;
