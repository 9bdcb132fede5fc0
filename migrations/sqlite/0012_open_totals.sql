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
    open_count INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (area_code, industry, status)
);

CREATE INDEX complaint_open_rollup_by_since ON complaint_open_rollup (since);

CREATE TRIGGER complaint_open_total_insert_new AFTER INSERT ON complaints
WHEN NEW.status IN ('received', 'negotiating', 'mediating')
BEGIN
    INSERT INTO complaint_open_total (area_code, industry, status, open_count)
    VALUES (NEW.area_code, NEW.industry, NEW.status, 1)
    ON CONFLICT (area_code, industry, status) DO UPDATE SET open_count = complaint_open_total.open_count + excluded.open_count;
END;

CREATE TRIGGER complaint_open_total_update_old AFTER UPDATE ON complaints
WHEN OLD.status IN ('received', 'negotiating', 'mediating')
BEGIN
    INSERT INTO complaint_open_total (area_code, industry, status, open_count)
    VALUES (OLD.area_code, OLD.industry, OLD.status, -1)
    ON CONFLICT (area_code, industry, status) DO UPDATE SET open_count = complaint_open_total.open_count + excluded.open_count;
END;

CREATE TRIGGER complaint_open_total_update_new AFTER UPDATE ON complaints
WHEN NEW.status IN ('received', 'negotiating', 'mediating')
BEGIN
    INSERT INTO complaint_open_total (area_code, industry, status, open_count)
    VALUES (NEW.area_code, NEW.industry, NEW.status, 1)
    ON CONFLICT (area_code, industry, status) DO UPDATE SET open_count = complaint_open_total.open_count + excluded.open_count;
END;

CREATE TRIGGER complaint_open_total_delete_old AFTER DELETE ON complaints
WHEN OLD.status IN ('received', 'negotiating', 'mediating')
BEGIN
    INSERT INTO complaint_open_total (area_code, industry, status, open_count)
    VALUES (OLD.area_code, OLD.industry, OLD.status, -1)
    ON CONFLICT (area_code, industry, status) DO UPDATE SET open_count = complaint_open_total.open_count + excluded.open_count;
END;

INSERT INTO complaint_open_total (area_code, industry, status, open_count)
SELECT c.area_code, c.industry, c.status, COUNT(*)
FROM complaints c WHERE c.status IN ('received', 'negotiating', 'mediating')
GROUP BY 1, 2, 3;
