DROP TABLE security_events;
DROP TABLE card_links;
DROP TABLE citizens;
