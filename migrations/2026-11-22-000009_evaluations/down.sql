DROP TABLE evaluation_appeals;
DROP TABLE rectifications;
DROP TABLE evaluations;
