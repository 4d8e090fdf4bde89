-- 012: what a vote and a first sync write (issue 19).
--   * A record's verdict leaves its row: `exclusions` holds only the records the fold excludes,
--     keyed by the record's arrival number `records.n`, with the code and reason; a record
--     without a row there counts. A valid record (almost every one) therefore costs no verdict
--     write at all: a vote does not update its own row after inserting it, and a first sync's
--     fold does not rewrite the rows of the 12,000 records it has just inserted. A re-vote's
--     exclusion (the ballot it replaces) is a small row at that ballot's number (beside the
--     last ones when the change follows soon), not a 150-byte row at a random place in a
--     text-keyed tree, which split and rebalanced its neighbours every few votes. A deleted
--     record's exclusion goes with it.
--   * The live vote counts leave the proposals' rows for one column of the cycle's summary row
--     (`cycle_view.votes`, packed: core/src/store/tally_row.rs), and the device's own member's
--     current ballot, the only one a screen reads, moves there too (`cycle_view.my_ballot`,
--     JSON) from the `ballots` table, which held a row for every voter. A vote then rewrites
--     one summary page instead of the summary, a ballots page and two proposals (their text
--     and content, often with overflow pages).
-- The upgrade rebuilds every view, which fills the new columns and table.
CREATE TABLE exclusions (
    n      INTEGER PRIMARY KEY,
    code   TEXT NOT NULL,
    reason TEXT NOT NULL
);
ALTER TABLE records DROP COLUMN valid;
ALTER TABLE records DROP COLUMN code;
ALTER TABLE records DROP COLUMN reason;
ALTER TABLE proposals DROP COLUMN votes;
ALTER TABLE cycle_view ADD COLUMN votes BLOB;
ALTER TABLE cycle_view ADD COLUMN my_ballot TEXT;
DROP TABLE ballots;
