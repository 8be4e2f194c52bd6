DROP TABLE bank_account_events;
DROP TABLE bank_accounts;
DROP TABLE bank_directory_loads;
DROP TABLE bank_branches;
DROP TABLE banks;
