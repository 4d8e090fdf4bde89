-- 007: a cycle whose views are behind its records: a sync session brought records out of fold
-- order and deferred the fold to its end. Cleared when the views are rewritten; set at open
-- means a session was cut (the store settles it then).
ALTER TABLE cycles ADD COLUMN stale INTEGER NOT NULL DEFAULT 0;
