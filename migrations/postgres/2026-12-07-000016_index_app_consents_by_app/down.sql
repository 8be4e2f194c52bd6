DROP INDEX app_consents_app;
