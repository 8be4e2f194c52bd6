DROP TABLE staff_jobs;
DROP TABLE staff_audit;
DROP TABLE staff_members;
