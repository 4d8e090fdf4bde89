-- 006: records by kind, for a project's timeline (every record that can name a project, no ballots).
CREATE INDEX records_by_kind ON records(cycle_id, kind, claimed_time);
