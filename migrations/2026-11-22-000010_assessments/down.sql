DROP TABLE assessment_items;
DROP TABLE assessments;
DROP TABLE attendance_records;
