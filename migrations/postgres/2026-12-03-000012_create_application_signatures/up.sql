-- Electronic signatures of sent applications (電子署名): the citizen signed what was sent with the signature
-- certificate of their My Number Card (simulated JPKI). One row per signed send; a corrected application
-- sent again signed has a row for each send, and the one whose digest matches the answers is current.
CREATE TABLE application_signatures (
    id TEXT PRIMARY KEY NOT NULL,
    application_id TEXT NOT NULL REFERENCES applications (id),
    -- SHA-256, lower-case hex, of the canonical form of the submission (see the server's
    -- services::application_signing::canonical_form).
    digest TEXT NOT NULL,
    -- RSASSA-PKCS1-v1_5 SHA-256 signature over that form, base64.
    signature TEXT NOT NULL,
    -- The signature certificate (X.509 DER), base64.
    certificate TEXT NOT NULL,
    -- The signer as the certificate names them (基本4情報): name and birth date (YYYY-MM-DD).
    signer_name TEXT NOT NULL,
    signer_birth_date TEXT NOT NULL,
    signed_at BIGINT NOT NULL
);
CREATE INDEX application_signatures_application ON application_signatures (application_id, signed_at);

-- The column reserved for a signature in the applications table was never written: the table above
-- replaces it.
ALTER TABLE applications DROP COLUMN signature;
