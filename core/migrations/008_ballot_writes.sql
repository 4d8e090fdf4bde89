-- 008: what a vote writes. Fewer pages per vote (23 → about 15 in the boundary benchmark).
-- The cycle's count of invalid records now comes from the folded state, so nothing reads the
-- validity index any more, and a record's status row (one per new ballot, one more when it
-- supersedes another) no longer touches an index.
DROP INDEX record_status_by_validity;
-- Every vote moved two entries of the votes index. The proposal list reads every proposal of the
-- cycle anyway (through the status index) and sorts at most a few hundred rows.
DROP INDEX proposals_by_votes;
-- A cumulative ballot's points, so a resident sees how they spread them (NULL otherwise).
ALTER TABLE ballots ADD COLUMN points TEXT;
-- A proposal's whole content (JSON of the latest valid version: goals, steps, risks, budget
-- lines, attachments), for its detail screen. Written when the proposal's text changes.
ALTER TABLE proposals ADD COLUMN content TEXT;
