-- Window and staff assessment (考核): attendance (考勤) and daily assessments (日考核) with
-- scored items in five dimensions.

-- One record per staff member and day, filed at the window they served.
CREATE TABLE attendance_records (
    id              uuid PRIMARY KEY,
    hall_id         uuid NOT NULL REFERENCES organizations (id),
    window_id       uuid NOT NULL REFERENCES windows (id),
    user_id         uuid NOT NULL REFERENCES users (id),
    day             date NOT NULL,
    status          text NOT NULL CHECK (status IN ('present', 'late', 'left_early', 'absent', 'leave', 'business_trip')),
    -- A/B coverage: the other post of the window who covered
    covered_by      uuid REFERENCES users (id),
    note            text,
    recorded_by     uuid NOT NULL REFERENCES users (id),
    version         integer NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT attendance_records_user_day_key UNIQUE (user_id, day),
    CHECK (covered_by IS NULL OR covered_by <> user_id),
    CHECK (covered_by IS NULL OR status <> 'present')
);
CREATE INDEX attendance_records_hall_day_idx ON attendance_records (hall_id, day, id);
CREATE INDEX attendance_records_window_day_idx ON attendance_records (window_id, day);
CREATE INDEX attendance_records_covered_by_idx ON attendance_records (covered_by);
CREATE INDEX attendance_records_recorded_by_idx ON attendance_records (recorded_by);

-- One assessment per subject (a window, or a staff member) and day.
CREATE TABLE assessments (
    id              uuid PRIMARY KEY,
    hall_id         uuid NOT NULL REFERENCES organizations (id),
    subject_kind    text NOT NULL CHECK (subject_kind IN ('window', 'staff')),
    window_id       uuid REFERENCES windows (id),
    user_id         uuid REFERENCES users (id),
    day             date NOT NULL,
    -- 100 + the points of the items, kept with them
    score           integer NOT NULL,
    note            text,
    assessed_by     uuid NOT NULL REFERENCES users (id),
    version         integer NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (CASE subject_kind WHEN 'window' THEN window_id IS NOT NULL AND user_id IS NULL
                             ELSE user_id IS NOT NULL AND window_id IS NULL END)
);
CREATE UNIQUE INDEX assessments_window_day_key ON assessments (window_id, day) WHERE window_id IS NOT NULL;
CREATE UNIQUE INDEX assessments_user_day_key ON assessments (user_id, day) WHERE user_id IS NOT NULL;
CREATE INDEX assessments_hall_day_idx ON assessments (hall_id, day, id);
CREATE INDEX assessments_assessed_by_idx ON assessments (assessed_by);

CREATE TABLE assessment_items (
    assessment_id   uuid NOT NULL REFERENCES assessments (id) ON DELETE CASCADE,
    seq             integer NOT NULL,
    dimension       text NOT NULL CHECK (dimension IN ('attitude', 'discipline', 'environment', 'handling', 'skill')),
    points          integer NOT NULL CHECK (points <> 0 AND points BETWEEN -10 AND 10),
    reason          text NOT NULL CHECK (length(reason) > 0),
    PRIMARY KEY (assessment_id, seq)
);
