-- Letdown's diary, version 3: where the baby's face is in each photo, the
-- baby's videos beside the photos, and what was true of a session besides
-- its events (its "factors").

-- The point the calm screen keeps in view, as fractions of the photo's width
-- and height from its top left; NULL until the parent chooses one.
ALTER TABLE photos ADD COLUMN focus_x REAL CHECK (focus_x BETWEEN 0 AND 1);
ALTER TABLE photos ADD COLUMN focus_y REAL CHECK (focus_y BETWEEN 0 AND 1);

-- A video shown instead of a photo: its file's extension (videos/<id>.<ext>);
-- its first frame is the photo copies. NULL for a photo.
ALTER TABLE photos ADD COLUMN video TEXT CHECK (video IN ('mp4', 'mov', 'm4v', 'webm'));

-- One row per session and factor ("hide_controls" = 1 or 0, later the
-- ritual's parts and the pump's settings): a new factor needs no migration.
CREATE TABLE session_factors (
    session_id  INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    factor      TEXT NOT NULL,
    value       REAL NOT NULL,
    PRIMARY KEY (session_id, factor)
) WITHOUT ROWID;
