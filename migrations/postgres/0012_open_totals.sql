-- Overdue counts without summing years of open complaints.
--
-- complaint_open_rollup keeps open complaints by the day their clock started; complaints
-- left open for years make it long, and summing all of it took 128 ms at 1 M complaints.
-- complaint_open_total keeps the same counts without the day (townships x industries x
-- three states: a few hundred rows). Overdue = open in total - open and not yet overdue,
-- and "not yet overdue" needs only the last few weeks of the day roll-up, read through
-- the index on `since`.
CREATE TABLE complaint_open_total (
    area_code TEXT NOT NULL,
    industry TEXT NOT NULL,
    status TEXT NOT NULL,
    open_count BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (area_code, industry, status)
);

CREATE INDEX complaint_open_rollup_by_since ON complaint_open_rollup (since);

-- Statement triggers with transition tables, as for the other roll-ups (0011). Rows are
-- upserted in key order so that concurrent statements lock them in the same order.
CREATE FUNCTION complaint_open_total_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO complaint_open_total (area_code, industry, status, open_count)
        SELECT c.area_code, c.industry, c.status, -COUNT(*)
        FROM old_rows c WHERE c.status IN ('received', 'negotiating', 'mediating')
        GROUP BY 1, 2, 3
        ORDER BY 1, 2, 3
        ON CONFLICT (area_code, industry, status) DO UPDATE SET open_count = complaint_open_total.open_count + excluded.open_count;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO complaint_open_total (area_code, industry, status, open_count)
        SELECT c.area_code, c.industry, c.status, COUNT(*)
        FROM new_rows c WHERE c.status IN ('received', 'negotiating', 'mediating')
        GROUP BY 1, 2, 3
        ORDER BY 1, 2, 3
        ON CONFLICT (area_code, industry, status) DO UPDATE SET open_count = complaint_open_total.open_count + excluded.open_count;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER complaint_open_total_insert AFTER INSERT ON complaints
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION complaint_open_total_apply();
CREATE TRIGGER complaint_open_total_update AFTER UPDATE ON complaints
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION complaint_open_total_apply();
CREATE TRIGGER complaint_open_total_delete AFTER DELETE ON complaints
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION complaint_open_total_apply();

INSERT INTO complaint_open_total (area_code, industry, status, open_count)
SELECT c.area_code, c.industry, c.status, COUNT(*)
FROM complaints c WHERE c.status IN ('received', 'negotiating', 'mediating')
GROUP BY 1, 2, 3;
