-- 公金受取口座: the account refunds and benefits are paid to.

-- The Zengin table of banks and branches accounts are checked against: loaded from the data bundled with the
-- portal when first needed, replaced by `portal banks import`. hira is the name in hiragana, for search.
CREATE TABLE banks (
    code TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    kana TEXT NOT NULL,
    hira TEXT NOT NULL
);
CREATE TABLE bank_branches (
    bank_code TEXT NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    kana TEXT NOT NULL,
    hira TEXT NOT NULL,
    PRIMARY KEY (bank_code, code)
);
-- The tables loaded, newest last: the data's date and when it was loaded.
CREATE TABLE bank_directory_loads (
    version TEXT NOT NULL,
    loaded_at BIGINT NOT NULL,
    PRIMARY KEY (loaded_at, version)
);

-- One account per citizen. The last completed registration wins, whichever channel it came through: a
-- registration completed before the stored one's completed_at changes nothing.
CREATE TABLE bank_accounts (
    citizen_id TEXT PRIMARY KEY NOT NULL REFERENCES citizens (id),
    bank_code TEXT NOT NULL,
    branch_code TEXT NOT NULL,
    -- 'ordinary' (普通), 'current' (当座) or 'savings' (貯蓄).
    account_type TEXT NOT NULL,
    -- Seven digits.
    account_number TEXT NOT NULL,
    -- As banks keep it: half-width katakana in the Zengin character set.
    holder_name TEXT NOT NULL,
    -- The branch's kana name when registered: an import that changes it invalidates the account.
    branch_kana TEXT NOT NULL,
    -- 'portal' or 'bank' (a bank counter, through the bank's agency client); for a bank, its agency code.
    channel TEXT NOT NULL,
    channel_agency TEXT,
    completed_at BIGINT NOT NULL,
    -- Set when the bank table no longer has the account's bank or branch as registered: the citizen is told
    -- to register again, and payments list them apart.
    invalid_since BIGINT,
    invalid_reason TEXT
);
-- An import finds the accounts under a changed branch.
CREATE INDEX bank_accounts_branch ON bank_accounts (bank_code, branch_code);

-- What happened to the citizen's account, for their history: registered, changed, deleted, invalidated.
-- The account number is kept only as its last three digits, as it is shown.
CREATE TABLE bank_account_events (
    id TEXT PRIMARY KEY NOT NULL,
    citizen_id TEXT NOT NULL REFERENCES citizens (id),
    kind TEXT NOT NULL,
    channel TEXT NOT NULL,
    channel_agency TEXT,
    bank_code TEXT,
    branch_code TEXT,
    account_type TEXT,
    number_last3 TEXT,
    at BIGINT NOT NULL
);
CREATE INDEX bank_account_events_citizen ON bank_account_events (citizen_id, at);
