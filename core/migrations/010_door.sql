-- 010: only genuine records of the cycle's registered signers are part of it (issue 20).
--   * A record whose signature does not verify, whose bytes do not decode, or that belongs to
--     another cycle is refused at the door instead of being kept as excluded: a stored damaged
--     copy used to occupy the genuine record's id for good. Such rows are removed; the upgrade
--     rebuilds the views.
--   * A record signed by a key that is not on the roll is held aside in `held_records`: never
--     folded, shown, counted or sent, and taken into the cycle when a roll entry arrives that
--     registers its signer. The upgrade's refold moves such rows out of `records`.
DELETE FROM records
WHERE sig_ok = 0
   OR NOT json_valid(signed)
   OR json_extract(signed, '$.cycle') IS NOT cycle_id;
CREATE TABLE held_records (
    id          TEXT PRIMARY KEY,
    cycle_id    TEXT NOT NULL,
    signed      BLOB NOT NULL,
    signature   BLOB NOT NULL CHECK (length(signature) = 64),
    received_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX held_records_by_cycle ON held_records(cycle_id);
