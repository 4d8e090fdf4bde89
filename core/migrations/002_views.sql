-- 002: materialised views for the screens, rebuilt from the records by the fold.
CREATE TABLE record_status (
    id        TEXT PRIMARY KEY,
    cycle_id  TEXT NOT NULL,
    valid     INTEGER NOT NULL,
    code      TEXT,
    reason    TEXT
) WITHOUT ROWID;
CREATE INDEX record_status_by_validity ON record_status(cycle_id, valid);
CREATE TABLE cycle_view (
    cycle_id      TEXT PRIMARY KEY,
    community     TEXT NOT NULL,
    year          INTEGER NOT NULL,
    title         TEXT NOT NULL,
    pool_fen      INTEGER NOT NULL,
    phase         TEXT NOT NULL,
    members       INTEGER NOT NULL,
    proposals     INTEGER NOT NULL,
    voters        INTEGER NOT NULL,
    records       INTEGER NOT NULL,
    invalid       INTEGER NOT NULL,
    sealed        INTEGER NOT NULL,
    sealed_ballots INTEGER NOT NULL,
    late_ballots  INTEGER NOT NULL,
    funded_fen    INTEGER NOT NULL,
    conflicts     INTEGER NOT NULL,
    roundtables   INTEGER NOT NULL
);
CREATE TABLE members (
    cycle_id     TEXT NOT NULL,
    member_id    TEXT NOT NULL,
    display_name TEXT NOT NULL,
    roles        TEXT NOT NULL,
    age_15_plus  INTEGER NOT NULL,
    attested_by  TEXT NOT NULL,
    PRIMARY KEY (cycle_id, member_id)
) WITHOUT ROWID;
CREATE TABLE device_keys (
    cycle_id   TEXT NOT NULL,
    public_key TEXT NOT NULL,
    member_id  TEXT NOT NULL,
    revoked_after INTEGER,
    PRIMARY KEY (cycle_id, public_key)
) WITHOUT ROWID;
CREATE TABLE proposals (
    proposal_id   TEXT PRIMARY KEY,
    cycle_id      TEXT NOT NULL,
    title         TEXT NOT NULL,
    description   TEXT NOT NULL,
    category      TEXT NOT NULL,
    location      TEXT NOT NULL,
    estimate_fen  INTEGER NOT NULL,
    status        TEXT NOT NULL,
    votes         INTEGER NOT NULL,
    sealed_votes  INTEGER,
    author_id     TEXT NOT NULL,
    on_behalf_of  TEXT,
    revisions     INTEGER NOT NULL,
    review_reason TEXT,
    submitted_at  TEXT NOT NULL
);
CREATE INDEX proposals_by_status ON proposals(cycle_id, status, category);
CREATE INDEX proposals_by_votes ON proposals(cycle_id, votes DESC);
CREATE VIRTUAL TABLE proposals_fts USING fts5(title, body, tokenize = 'trigram');
CREATE TABLE ballots (
    cycle_id   TEXT NOT NULL,
    member_id  TEXT NOT NULL,
    ballot_id  TEXT NOT NULL,
    choices  TEXT NOT NULL,
    cast_at    TEXT NOT NULL,
    status     TEXT NOT NULL,
    PRIMARY KEY (cycle_id, member_id)
) WITHOUT ROWID;
CREATE TABLE reports (
    report_id  TEXT PRIMARY KEY,
    cycle_id   TEXT NOT NULL,
    project_id TEXT NOT NULL,
    kind       TEXT NOT NULL,
    text       TEXT NOT NULL,
    reporter   TEXT NOT NULL,
    photos     INTEGER NOT NULL,
    at         TEXT NOT NULL,
    responses  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX reports_by_project ON reports(project_id, at);
CREATE TABLE projects (
    project_id    TEXT PRIMARY KEY,
    cycle_id      TEXT NOT NULL,
    title         TEXT NOT NULL,
    funded_fen    INTEGER NOT NULL,
    contractor_id TEXT,
    contract_fen  INTEGER,
    progress      INTEGER NOT NULL,
    reports       INTEGER NOT NULL,
    completed     INTEGER NOT NULL,
    ratings       INTEGER NOT NULL,
    good_ratings  INTEGER NOT NULL,
    satisfied     INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE payments (
    project_id  TEXT NOT NULL,
    cycle_id    TEXT NOT NULL,
    idx         INTEGER NOT NULL,
    label       TEXT NOT NULL,
    amount_fen  INTEGER NOT NULL,
    gated       INTEGER NOT NULL,
    released_by TEXT,
    PRIMARY KEY (project_id, idx)
) WITHOUT ROWID;
