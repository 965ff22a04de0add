-- Letdown's diary, version 4: the parent's pumps and the parts that wear
-- out, and where each session's milk went (the stash). A session's pump
-- settings are factors (session_factors), so they need no table here.

CREATE TABLE pumps (
    id               INTEGER PRIMARY KEY,
    name             TEXT NOT NULL,
    double           INTEGER NOT NULL DEFAULT 1 CHECK (double IN (0, 1)),
    flange_left_mm   REAL CHECK (flange_left_mm BETWEEN 10 AND 40),
    flange_right_mm  REAL CHECK (flange_right_mm BETWEEN 10 AND 40),
    -- 'two': a stimulation and an expression level; 'one': one suction level.
    levels           TEXT NOT NULL DEFAULT 'two' CHECK (levels IN ('two', 'one')),
    stimulation      INTEGER CHECK (stimulation BETWEEN 1 AND 20),
    expression       INTEGER CHECK (expression BETWEEN 1 AND 20),
    suction          INTEGER CHECK (suction BETWEEN 1 AND 20),
    created_ms       INTEGER NOT NULL,
    -- Put away: no longer offered, its sessions keep pointing at it.
    removed_ms       INTEGER
);

-- Parts that wear, each with how often it should be replaced.
CREATE TABLE pump_parts (
    id               INTEGER PRIMARY KEY,
    pump_id          INTEGER NOT NULL REFERENCES pumps(id) ON DELETE CASCADE,
    name             TEXT NOT NULL,
    every_days       INTEGER NOT NULL CHECK (every_days BETWEEN 1 AND 730),
    -- "Remind me in a week": not said to be due before this instant.
    quiet_until_ms   INTEGER,
    -- No longer tracked; its replacements stay on the charts.
    removed_ms       INTEGER
);
CREATE UNIQUE INDEX parts_by_name ON pump_parts (pump_id, name) WHERE removed_ms IS NULL;

CREATE TABLE part_replacements (
    part_id     INTEGER NOT NULL REFERENCES pump_parts(id) ON DELETE CASCADE,
    at_ms       INTEGER NOT NULL,
    offset_min  INTEGER NOT NULL,
    PRIMARY KEY (part_id, at_ms)
) WITHOUT ROWID;

-- Where a session's milk went, one row per place; the rows of a session add
-- up to its amount. Fridge, freezer and room-temperature rows are the
-- stash's portions.
CREATE TABLE milk (
    id          INTEGER PRIMARY KEY,
    session_id  INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    place       TEXT NOT NULL CHECK (place IN ('fridge', 'freezer', 'room', 'fed', 'discarded')),
    amount_ml   REAL NOT NULL CHECK (amount_ml > 0),
    label       TEXT,
    use_by_ms   INTEGER,
    -- Taken out of the freezer to thaw in the fridge (place is then 'fridge').
    thawed_ms   INTEGER,
    -- Taken from the stash: fed, or thrown away.
    used_ms     INTEGER,
    used_how    TEXT CHECK (used_how IN ('fed', 'discarded')),
    -- Its session was deleted together with its milk; undo clears it.
    removed_ms  INTEGER
);
CREATE INDEX milk_by_session ON milk (session_id);
CREATE INDEX milk_in_stash ON milk (used_ms, removed_ms, place);
