-- The complaints table keeps the indexes its queries use, and no others.
--
-- complaints_area (township, date) served none: every filter on the township is
-- `area_code LIKE '3417…%'` (a township or the whole county), which neither database
-- answers from a plain B-tree index (SQLite would need NOCASE, PostgreSQL
-- text_pattern_ops and a constant pattern); the plans read complaints_received.
--
-- complaints_status held every complaint under five values. The list filtered by a
-- status used it to fetch most of the table and sort it, where walking
-- complaints_received backwards stops after a page; and the open complaints (the
-- working set of every desk and of the overdue flags) are now an index of their own, in
-- date order, so their list needs no sort either.
--
-- Each index also cost every insert, and a big import a sort of the whole table.
--
-- The open statuses are written as ORs, not `status IN (…)`: SQLite evaluates this
-- condition for every row written, and an IN list builds a little table each time
-- (measured: a million-row insert took 0.79 s with IN, 0.36 s with ORs, 0.28 s without
-- the index). A query uses the index when it repeats the condition word for word
-- (`store::complaints::OPEN`).
DROP INDEX complaints_area;
DROP INDEX complaints_status;
CREATE INDEX complaints_open ON complaints(received_on)
    WHERE (status = 'received' OR status = 'negotiating' OR status = 'mediating');
