-- 即日給付: a benefit an agency publishes with eligibility rules over citizens' data, and the claims made for
-- it (each one an application of the benefit's claim form).

-- Municipalities are comma-separated 6-digit codes; a NULL max_income means no income limit. The amounts are
-- yen: one per household plus one per household member besides the claimant.
CREATE TABLE benefits (
    id TEXT PRIMARY KEY NOT NULL,
    agency_id TEXT NOT NULL REFERENCES agencies (id),
    form_key TEXT NOT NULL,
    title_ja TEXT NOT NULL,
    title_en TEXT NOT NULL,
    amount_per_household BIGINT NOT NULL,
    amount_per_member BIGINT NOT NULL,
    municipalities TEXT NOT NULL,
    max_income BIGINT,
    deadline TEXT NOT NULL,
    notice_id TEXT,
    eligible BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX benefits_agency ON benefits (agency_id, created_at);

-- One claim per citizen and benefit. `state` is claimed, approved or paid; `paid_on` is the transfer date.
CREATE TABLE benefit_claims (
    benefit_id TEXT NOT NULL REFERENCES benefits (id),
    citizen_id TEXT NOT NULL REFERENCES citizens (id),
    application_id TEXT NOT NULL UNIQUE REFERENCES applications (id),
    amount BIGINT NOT NULL,
    state TEXT NOT NULL,
    paid_on TEXT,
    claimed_at BIGINT NOT NULL,
    PRIMARY KEY (benefit_id, citizen_id)
);
-- The agency's bulk approval takes a benefit's claims by state.
CREATE INDEX benefit_claims_state ON benefit_claims (benefit_id, state);
-- Publishing a benefit walks the citizens of its municipalities in id order.
CREATE INDEX citizens_municipality_id ON citizens (municipality_code, id);
