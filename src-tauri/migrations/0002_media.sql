-- Letdown's diary, version 2: the baby's photos and recordings, kept as copies
-- in the app's own media folder. Files are named by id; nothing refers to the
-- parent's original files after import.

CREATE TABLE photos (
    id             TEXT PRIMARY KEY,
    width          INTEGER NOT NULL,
    height         INTEGER NOT NULL,
    original_name  TEXT NOT NULL,
    imported_ms    INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE clips (
    id             TEXT PRIMARY KEY,
    extension      TEXT NOT NULL,
    duration_ms    INTEGER NOT NULL,
    sample_rate    INTEGER NOT NULL,
    channels       INTEGER NOT NULL,
    original_name  TEXT NOT NULL,
    imported_ms    INTEGER NOT NULL
) WITHOUT ROWID;
