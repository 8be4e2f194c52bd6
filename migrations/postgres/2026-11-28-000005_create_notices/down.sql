DROP TABLE notice_fanouts;
DROP TABLE mail_outbox;
DROP TABLE email_addresses;
DROP TABLE notice_recipients;
DROP TABLE notices;
