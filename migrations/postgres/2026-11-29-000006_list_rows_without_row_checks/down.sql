ALTER TABLE notice_recipients ADD FOREIGN KEY (citizen_id) REFERENCES citizens (id);
ALTER TABLE notice_recipients ADD FOREIGN KEY (notice_id) REFERENCES notices (id);
