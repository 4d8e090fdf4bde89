-- 009: what storing a record writes (about 15 → 9 pages per vote in the boundary benchmark).
-- Records were keyed by their content-addressed id: every new record landed on a random leaf of
-- a tree of ~500-byte rows and split it every few inserts (3.3 pages per vote). Rows now go in
-- arrival order (`n`), so a new record is written to the last leaf; the id stays unique through a
-- small index. Records are never deleted, so `n` only grows.
--   * A record's verdict (from the fold) is kept in its row: the new record's verdict costs no
--     page of its own (record_status cost 2.9 pages per vote).
--   * A record stored outside the documents (own action, import, bundle) is marked `to_doc`; the
--     next sync puts every such record after the cycle's `docs_upto` into its document and moves
--     the mark. The doc_pending list (1.6 pages per vote) is gone.
--   * Per-cycle scans read `records_by_cycle` (cycle, n), which a new record appends to. A
--     project's timeline reads `records_by_kind`, which no longer lists ballots (1.6 pages per
--     vote when it did: ballots were inserted in the middle of it).
CREATE TABLE records_new (
    n            INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    cycle_id     TEXT NOT NULL,
    kind         TEXT,
    signer       TEXT,
    seq          INTEGER,
    claimed_time TEXT,
    signed       BLOB NOT NULL,
    signature    BLOB NOT NULL CHECK (length(signature) = 64),
    sig_ok       INTEGER NOT NULL,
    received_at  TEXT NOT NULL,
    valid        INTEGER,
    code         TEXT,
    reason       TEXT,
    to_doc       INTEGER
);
INSERT INTO records_new (id, cycle_id, kind, signer, seq, claimed_time, signed, signature, sig_ok,
                         received_at, valid, code, reason, to_doc)
    SELECT r.id, r.cycle_id, r.kind, r.signer, r.seq, r.claimed_time, r.signed, r.signature,
           r.sig_ok, r.received_at, s.valid, s.code, s.reason,
           CASE WHEN p.record_id IS NULL THEN NULL ELSE 1 END
    FROM records r
    LEFT JOIN record_status s ON s.id = r.id
    LEFT JOIN doc_pending p ON p.record_id = r.id
    ORDER BY r.received_at, r.id;
ALTER TABLE cycles ADD COLUMN docs_upto INTEGER NOT NULL DEFAULT 0;
DROP TABLE doc_pending;
DROP TABLE record_status;
DROP TABLE records;
ALTER TABLE records_new RENAME TO records;
CREATE INDEX records_by_cycle ON records(cycle_id);
CREATE INDEX records_by_kind ON records(cycle_id, kind, claimed_time) WHERE kind <> 'ballot';
