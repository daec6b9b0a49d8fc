-- The written sections of the annual disclosure report (1 overview, 5 problems and
-- improvements, 6 other matters); the tables are always computed from the records.
CREATE TABLE annual_report_texts (
    organization_id uuid NOT NULL REFERENCES organizations (id),
    year            integer NOT NULL CHECK (year BETWEEN 2008 AND 2200),
    overview        text NOT NULL,
    problems        text NOT NULL,
    other_matters   text NOT NULL,
    version         integer NOT NULL DEFAULT 1,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, year)
);
