-- 005: document snapshots in their own table. Appending a change updates the document's small
-- row (heads, sizes); while the snapshot lived in that row, SQLite rewrote the whole snapshot
-- (all its overflow pages) on every append: ~30 pages per merged ballot at 20,000 ballots.
CREATE TABLE doc_snapshots (
    cycle_id TEXT NOT NULL,
    doc      INTEGER NOT NULL,
    bytes    BLOB NOT NULL,
    PRIMARY KEY (cycle_id, doc)
);
INSERT INTO doc_snapshots (cycle_id, doc, bytes)
    SELECT cycle_id, doc, snapshot FROM docs WHERE snapshot IS NOT NULL;
CREATE TABLE docs_new (
    cycle_id       TEXT NOT NULL,
    doc            INTEGER NOT NULL,
    snapshot_bytes INTEGER NOT NULL DEFAULT 0,
    heads          BLOB NOT NULL,
    appended_bytes INTEGER NOT NULL DEFAULT 0,
    records        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (cycle_id, doc)
) WITHOUT ROWID;
INSERT INTO docs_new (cycle_id, doc, snapshot_bytes, heads, appended_bytes, records)
    SELECT cycle_id, doc, COALESCE(length(snapshot), 0), heads, appended_bytes, records FROM docs;
DROP TABLE docs;
ALTER TABLE docs_new RENAME TO docs;
