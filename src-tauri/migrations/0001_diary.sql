-- Letdown's diary, version 1. Instants are UTC milliseconds since the Unix
-- epoch with the local offset in minutes beside them; amounts are millilitres.

CREATE TABLE routines (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    steps_json  TEXT NOT NULL,
    position    INTEGER NOT NULL DEFAULT 0,
    created_ms  INTEGER NOT NULL,
    updated_ms  INTEGER NOT NULL
);

CREATE TABLE sessions (
    id                  INTEGER PRIMARY KEY,
    routine_id          INTEGER REFERENCES routines(id) ON DELETE SET NULL,
    -- The routine exactly as it was when the session started.
    routine_json        TEXT NOT NULL,
    started_ms          INTEGER NOT NULL,
    started_offset_min  INTEGER NOT NULL,
    ended_ms            INTEGER,
    ended_offset_min    INTEGER,
    status              TEXT NOT NULL DEFAULT 'open'
                        CHECK (status IN ('open', 'finished', 'discarded')),
    discarded_ms        INTEGER,
    active_ms           INTEGER,
    amount_left_ml      REAL CHECK (amount_left_ml >= 0),
    amount_right_ml     REAL CHECK (amount_right_ml >= 0),
    amount_total_ml     REAL CHECK (amount_total_ml >= 0),
    comfort             INTEGER CHECK (comfort BETWEEN 1 AND 5),
    note                TEXT,
    letdown_count       INTEGER,
    first_letdown_ms    INTEGER,
    photo               TEXT,
    clip                TEXT
);
CREATE INDEX sessions_by_start ON sessions (status, started_ms);
-- At most one session in progress, enforced by the database itself.
CREATE UNIQUE INDEX one_open_session ON sessions (status) WHERE status = 'open';

-- Every intent and every step change, in order: the session's log.
CREATE TABLE events (
    session_id  INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    at_ms       INTEGER NOT NULL,
    offset_min  INTEGER NOT NULL,
    active_ms   INTEGER NOT NULL,
    step_index  INTEGER,
    data_json   TEXT NOT NULL,
    PRIMARY KEY (session_id, seq)
) WITHOUT ROWID;

-- Steps as actually run (planned vs actual), written when a session is finished.
CREATE TABLE session_steps (
    session_id         INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    seq                INTEGER NOT NULL,
    step_index         INTEGER NOT NULL,
    kind               TEXT NOT NULL,
    planned_ms         INTEGER NOT NULL,
    started_active_ms  INTEGER NOT NULL,
    ended_active_ms    INTEGER NOT NULL,
    ended              TEXT NOT NULL,
    PRIMARY KEY (session_id, seq)
) WITHOUT ROWID;

CREATE TABLE session_tags (
    session_id  INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    tag         TEXT NOT NULL,
    PRIMARY KEY (session_id, tag)
) WITHOUT ROWID;
CREATE INDEX tags_by_name ON session_tags (tag);

CREATE TABLE settings (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
) WITHOUT ROWID;
