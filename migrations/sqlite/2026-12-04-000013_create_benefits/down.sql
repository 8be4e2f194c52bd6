DROP INDEX citizens_municipality_id;
DROP TABLE benefit_claims;
DROP TABLE benefits;
