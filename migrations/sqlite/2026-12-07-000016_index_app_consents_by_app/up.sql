-- Withdrawing an app revokes every live consent to it, and finds their tokens, by the app.
CREATE INDEX app_consents_app ON app_consents (app_id, revoked_at);
