-- 011: paper ballots, comments and meetings (issue 18).
--   * `proposals.comments`: the comments shown with a proposal (hidden ones are listed as hidden
--     on the proposal's page, not counted here).
--   * `ballots.paper_sheet`: the sheet number when a member's counted ballot is a paper one
--     entered by a cadre (NULL for a phone ballot).
ALTER TABLE proposals ADD COLUMN comments INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ballots ADD COLUMN paper_sheet TEXT;
