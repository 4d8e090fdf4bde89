-- 001: the device, the cycles it follows, and every record it holds (exact signed bytes).
CREATE TABLE device (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    public_key  TEXT NOT NULL,
    next_seq    INTEGER NOT NULL CHECK (next_seq >= 1)
);
CREATE TABLE cycles (
    cycle_id    TEXT PRIMARY KEY,
    genesis_id  TEXT NOT NULL,
    added_at    TEXT NOT NULL
);
CREATE TABLE records (
    id           TEXT PRIMARY KEY,
    cycle_id     TEXT NOT NULL,
    kind         TEXT,
    signer       TEXT,
    seq          INTEGER,
    claimed_time TEXT,
    signed       BLOB NOT NULL,
    signature    BLOB NOT NULL CHECK (length(signature) = 64),
    sig_ok       INTEGER NOT NULL,
    received_at  TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX records_by_cycle ON records(cycle_id);
