DROP TABLE provisional_deadlines;
