-- 003: photos and files, stored once by SHA-256 of their bytes (exchange between devices comes
-- with sync).
CREATE TABLE blobs (
    sha256   TEXT PRIMARY KEY,
    mime     TEXT NOT NULL,
    bytes    BLOB NOT NULL,
    added_at TEXT NOT NULL
) WITHOUT ROWID;
