-- 004: Automerge documents, per-peer sync state and blob references (the sync layer).
-- Each cycle's records live in several bounded Automerge documents (docs/sync.md): a compacted
-- snapshot plus appended incremental changes, compacted when the appended part grows.
CREATE TABLE docs (
    cycle_id       TEXT NOT NULL,
    doc            INTEGER NOT NULL,
    snapshot       BLOB,
    heads          BLOB NOT NULL,
    appended_bytes INTEGER NOT NULL DEFAULT 0,
    records        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (cycle_id, doc)
) WITHOUT ROWID;
CREATE TABLE doc_changes (
    cycle_id TEXT NOT NULL,
    doc      INTEGER NOT NULL,
    n        INTEGER NOT NULL,
    bytes    BLOB NOT NULL,
    PRIMARY KEY (cycle_id, doc, n)
) WITHOUT ROWID;
-- Records stored (own actions, imports, bundles) but not yet put into their document; the next
-- sync puts them in, with this device's one Automerge actor.
CREATE TABLE doc_pending (
    record_id TEXT PRIMARY KEY,
    cycle_id  TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO doc_pending (record_id, cycle_id) SELECT id, cycle_id FROM records;
-- The device's persistent Automerge actor (one per installation, never one per record).
CREATE TABLE doc_actor (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    actor BLOB NOT NULL
);
-- Automerge sync state per (peer device, cycle, document), so a reconnect resumes cheaply.
CREATE TABLE peer_docs (
    peer_key TEXT NOT NULL,
    cycle_id TEXT NOT NULL,
    doc      INTEGER NOT NULL,
    state    BLOB NOT NULL,
    PRIMARY KEY (peer_key, cycle_id, doc)
) WITHOUT ROWID;
-- Which device answered at a network endpoint last time (the hint for resuming).
CREATE TABLE peer_endpoints (
    endpoint  TEXT PRIMARY KEY,
    peer_key  TEXT NOT NULL,
    last_seen TEXT NOT NULL
) WITHOUT ROWID;
-- Blobs referenced by records (photos, attachments), so a sync knows what to fetch.
CREATE TABLE blob_refs (
    sha256    TEXT NOT NULL,
    cycle_id  TEXT NOT NULL,
    size      INTEGER NOT NULL,
    mime      TEXT NOT NULL,
    PRIMARY KEY (sha256, cycle_id)
) WITHOUT ROWID;
