-- Roll-ups behind the dashboards, kept exact by triggers in the same transaction as
-- every write to complaints (insert, update, delete; one row at a time, or a 12315
-- import's batches), so a dashboard sums a few thousand rows instead of grouping ten
-- million. What they count is `domain::complaint::counts_of`: a complaint counts in the
-- month (and year) it was accepted, with what has become of it by now.
--   complaint_month_rollup: township x industry x month of acceptance
--   complaint_unit_rollup:  township x year of acceptance x organisation (0 = not
--                           registered) x industry, for the drill-down to units
--   complaint_open_rollup:  open complaints by township x industry x state x the day
--                           their clock started, for the overdue counts (the holiday
--                           calendar is applied in Rust to these few rows)
-- A test recomputes all three from the raw rows on generated data (store/tests/dashboard.rs).

CREATE TABLE complaint_month_rollup (
    area_code TEXT NOT NULL,
    industry TEXT NOT NULL,
    month TEXT NOT NULL,
    accepted INTEGER NOT NULL DEFAULT 0,
    closed INTEGER NOT NULL DEFAULT 0,
    mediated INTEGER NOT NULL DEFAULT 0,
    mediated_successfully INTEGER NOT NULL DEFAULT 0,
    rated_satisfied INTEGER NOT NULL DEFAULT 0,
    rated_basically_satisfied INTEGER NOT NULL DEFAULT 0,
    rated_dissatisfied INTEGER NOT NULL DEFAULT 0,
    recovered_fen INTEGER NOT NULL DEFAULT 0,
    advance_fen INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (area_code, industry, month)
);
CREATE TABLE complaint_unit_rollup (
    area_code TEXT NOT NULL,
    year TEXT NOT NULL,
    organisation_id INTEGER NOT NULL,
    industry TEXT NOT NULL,
    accepted INTEGER NOT NULL DEFAULT 0,
    closed INTEGER NOT NULL DEFAULT 0,
    mediated INTEGER NOT NULL DEFAULT 0,
    mediated_successfully INTEGER NOT NULL DEFAULT 0,
    rated_satisfied INTEGER NOT NULL DEFAULT 0,
    rated_basically_satisfied INTEGER NOT NULL DEFAULT 0,
    rated_dissatisfied INTEGER NOT NULL DEFAULT 0,
    recovered_fen INTEGER NOT NULL DEFAULT 0,
    advance_fen INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (area_code, year, organisation_id, industry)
);
CREATE TABLE complaint_open_rollup (
    area_code TEXT NOT NULL,
    industry TEXT NOT NULL,
    status TEXT NOT NULL,
    since TEXT NOT NULL,
    open_count INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (area_code, industry, status, since)
);

CREATE TRIGGER complaint_month_rollup_insert_new AFTER INSERT ON complaints
WHEN NEW.accepted_on IS NOT NULL AND NEW.status IN ('negotiating', 'mediating', 'closed')
BEGIN
    INSERT INTO complaint_month_rollup (area_code, industry, month, accepted, closed, mediated, mediated_successfully, rated_satisfied, rated_basically_satisfied, rated_dissatisfied, recovered_fen, advance_fen)
    VALUES (NEW.area_code, NEW.industry, substr(NEW.accepted_on, 1, 7), 1, (CASE WHEN NEW.status = 'closed' THEN 1 ELSE 0 END), (CASE WHEN NEW.status = 'closed' AND NEW.outcome IS NOT NULL THEN 1 ELSE 0 END), (CASE WHEN NEW.status = 'closed' AND NEW.outcome IN ('agreement', 'settlement') THEN 1 ELSE 0 END), (CASE WHEN NEW.status = 'closed' AND NEW.rating = 'satisfied' THEN 1 ELSE 0 END), (CASE WHEN NEW.status = 'closed' AND NEW.rating = 'basic' THEN 1 ELSE 0 END), (CASE WHEN NEW.status = 'closed' AND NEW.rating = 'dissatisfied' THEN 1 ELSE 0 END), (CASE WHEN NEW.status = 'closed' THEN NEW.recovered_fen ELSE 0 END), (CASE WHEN NEW.status = 'closed' THEN NEW.advance_fen ELSE 0 END))
    ON CONFLICT (area_code, industry, month) DO UPDATE SET accepted = complaint_month_rollup.accepted + excluded.accepted, closed = complaint_month_rollup.closed + excluded.closed, mediated = complaint_month_rollup.mediated + excluded.mediated, mediated_successfully = complaint_month_rollup.mediated_successfully + excluded.mediated_successfully, rated_satisfied = complaint_month_rollup.rated_satisfied + excluded.rated_satisfied, rated_basically_satisfied = complaint_month_rollup.rated_basically_satisfied + excluded.rated_basically_satisfied, rated_dissatisfied = complaint_month_rollup.rated_dissatisfied + excluded.rated_dissatisfied, recovered_fen = complaint_month_rollup.recovered_fen + excluded.recovered_fen, advance_fen = complaint_month_rollup.advance_fen + excluded.advance_fen;
END;

CREATE TRIGGER complaint_month_rollup_update_old AFTER UPDATE ON complaints
WHEN OLD.accepted_on IS NOT NULL AND OLD.status IN ('negotiating', 'mediating', 'closed')
BEGIN
    INSERT INTO complaint_month_rollup (area_code, industry, month, accepted, closed, mediated, mediated_successfully, rated_satisfied, rated_basically_satisfied, rated_dissatisfied, recovered_fen, advance_fen)
    VALUES (OLD.area_code, OLD.industry, substr(OLD.accepted_on, 1, 7), -1, -(CASE WHEN OLD.status = 'closed' THEN 1 ELSE 0 END), -(CASE WHEN OLD.status = 'closed' AND OLD.outcome IS NOT NULL THEN 1 ELSE 0 END), -(CASE WHEN OLD.status = 'closed' AND OLD.outcome IN ('agreement', 'settlement') THEN 1 ELSE 0 END), -(CASE WHEN OLD.status = 'closed' AND OLD.rating = 'satisfied' THEN 1 ELSE 0 END), -(CASE WHEN OLD.status = 'closed' AND OLD.rating = 'basic' THEN 1 ELSE 0 END), -(CASE WHEN OLD.status = 'closed' AND OLD.rating = 'dissatisfied' THEN 1 ELSE 0 END), -(CASE WHEN OLD.status = 'closed' THEN OLD.recovered_fen ELSE 0 END), -(CASE WHEN OLD.status = 'closed' THEN OLD.advance_fen ELSE 0 END))
    ON CONFLICT (area_code, industry, month) DO UPDATE SET accepted = complaint_month_rollup.accepted + excluded.accepted, closed = complaint_month_rollup.closed + excluded.closed, mediated = complaint_month_rollup.mediated + excluded.mediated, mediated_successfully = complaint_month_rollup.mediated_successfully + excluded.mediated_successfully, rated_satisfied = complaint_month_rollup.rated_satisfied + excluded.rated_satisfied, rated_basically_satisfied = complaint_month_rollup.rated_basically_satisfied + excluded.rated_basically_satisfied, rated_dissatisfied = complaint_month_rollup.rated_dissatisfied + excluded.rated_dissatisfied, recovered_fen = complaint_month_rollup.recovered_fen + excluded.recovered_fen, advance_fen = complaint_month_rollup.advance_fen + excluded.advance_fen;
END;

CREATE TRIGGER complaint_month_rollup_update_new AFTER UPDATE ON complaints
WHEN NEW.accepted_on IS NOT NULL AND NEW.status IN ('negotiating', 'mediating', 'closed')
BEGIN
    INSERT INTO complaint_month_rollup (area_code, industry, month, accepted, closed, mediated, mediated_successfully, rated_satisfied, rated_basically_satisfied, rated_dissatisfied, recovered_fen, advance_fen)
    VALUES (NEW.area_code, NEW.industry, substr(NEW.accepted_on, 1, 7), 1, (CASE WHEN NEW.status = 'closed' THEN 1 ELSE 0 END), (CASE WHEN NEW.status = 'closed' AND NEW.outcome IS NOT NULL THEN 1 ELSE 0 END), (CASE WHEN NEW.status = 'closed' AND NEW.outcome IN ('agreement', 'settlement') THEN 1 ELSE 0 END), (CASE WHEN NEW.status = 'closed' AND NEW.rating = 'satisfied' THEN 1 ELSE 0 END), (CASE WHEN NEW.status = 'closed' AND NEW.rating = 'basic' THEN 1 ELSE 0 END), (CASE WHEN NEW.status = 'closed' AND NEW.rating = 'dissatisfied' THEN 1 ELSE 0 END), (CASE WHEN NEW.status = 'closed' THEN NEW.recovered_fen ELSE 0 END), (CASE WHEN NEW.status = 'closed' THEN NEW.advance_fen ELSE 0 END))
    ON CONFLICT (area_code, industry, month) DO UPDATE SET accepted = complaint_month_rollup.accepted + excluded.accepted, closed = complaint_month_rollup.closed + excluded.closed, mediated = complaint_month_rollup.mediated + excluded.mediated, mediated_successfully = complaint_month_rollup.mediated_successfully + excluded.mediated_successfully, rated_satisfied = complaint_month_rollup.rated_satisfied + excluded.rated_satisfied, rated_basically_satisfied = complaint_month_rollup.rated_basically_satisfied + excluded.rated_basically_satisfied, rated_dissatisfied = complaint_month_rollup.rated_dissatisfied + excluded.rated_dissatisfied, recovered_fen = complaint_month_rollup.recovered_fen + excluded.recovered_fen, advance_fen = complaint_month_rollup.advance_fen + excluded.advance_fen;
END;

CREATE TRIGGER complaint_month_rollup_delete_old AFTER DELETE ON complaints
WHEN OLD.accepted_on IS NOT NULL AND OLD.status IN ('negotiating', 'mediating', 'closed')
BEGIN
    INSERT INTO complaint_month_rollup (area_code, industry, month, accepted, closed, mediated, mediated_successfully, rated_satisfied, rated_basically_satisfied, rated_dissatisfied, recovered_fen, advance_fen)
    VALUES (OLD.area_code, OLD.industry, substr(OLD.accepted_on, 1, 7), -1, -(CASE WHEN OLD.status = 'closed' THEN 1 ELSE 0 END), -(CASE WHEN OLD.status = 'closed' AND OLD.outcome IS NOT NULL THEN 1 ELSE 0 END), -(CASE WHEN OLD.status = 'closed' AND OLD.outcome IN ('agreement', 'settlement') THEN 1 ELSE 0 END), -(CASE WHEN OLD.status = 'closed' AND OLD.rating = 'satisfied' THEN 1 ELSE 0 END), -(CASE WHEN OLD.status = 'closed' AND OLD.rating = 'basic' THEN 1 ELSE 0 END), -(CASE WHEN OLD.status = 'closed' AND OLD.rating = 'dissatisfied' THEN 1 ELSE 0 END), -(CASE WHEN OLD.status = 'closed' THEN OLD.recovered_fen ELSE 0 END), -(CASE WHEN OLD.status = 'closed' THEN OLD.advance_fen ELSE 0 END))
    ON CONFLICT (area_code, industry, month) DO UPDATE SET accepted = complaint_month_rollup.accepted + excluded.accepted, closed = complaint_month_rollup.closed + excluded.closed, mediated = complaint_month_rollup.mediated + excluded.mediated, mediated_successfully = complaint_month_rollup.mediated_successfully + excluded.mediated_successfully, rated_satisfied = complaint_month_rollup.rated_satisfied + excluded.rated_satisfied, rated_basically_satisfied = complaint_month_rollup.rated_basically_satisfied + excluded.rated_basically_satisfied, rated_dissatisfied = complaint_month_rollup.rated_dissatisfied + excluded.rated_dissatisfied, recovered_fen = complaint_month_rollup.recovered_fen + excluded.recovered_fen, advance_fen = complaint_month_rollup.advance_fen + excluded.advance_fen;
END;

CREATE TRIGGER complaint_unit_rollup_insert_new AFTER INSERT ON complaints
WHEN NEW.accepted_on IS NOT NULL AND NEW.status IN ('negotiating', 'mediating', 'closed')
BEGIN
    INSERT INTO complaint_unit_rollup (area_code, year, organisation_id, industry, accepted, closed, mediated, mediated_successfully, rated_satisfied, rated_basically_satisfied, rated_dissatisfied, recovered_fen, advance_fen)
    VALUES (NEW.area_code, substr(NEW.accepted_on, 1, 4), COALESCE(NEW.organisation_id, 0), NEW.industry, 1, (CASE WHEN NEW.status = 'closed' THEN 1 ELSE 0 END), (CASE WHEN NEW.status = 'closed' AND NEW.outcome IS NOT NULL THEN 1 ELSE 0 END), (CASE WHEN NEW.status = 'closed' AND NEW.outcome IN ('agreement', 'settlement') THEN 1 ELSE 0 END), (CASE WHEN NEW.status = 'closed' AND NEW.rating = 'satisfied' THEN 1 ELSE 0 END), (CASE WHEN NEW.status = 'closed' AND NEW.rating = 'basic' THEN 1 ELSE 0 END), (CASE WHEN NEW.status = 'closed' AND NEW.rating = 'dissatisfied' THEN 1 ELSE 0 END), (CASE WHEN NEW.status = 'closed' THEN NEW.recovered_fen ELSE 0 END), (CASE WHEN NEW.status = 'closed' THEN NEW.advance_fen ELSE 0 END))
    ON CONFLICT (area_code, year, organisation_id, industry) DO UPDATE SET accepted = complaint_unit_rollup.accepted + excluded.accepted, closed = complaint_unit_rollup.closed + excluded.closed, mediated = complaint_unit_rollup.mediated + excluded.mediated, mediated_successfully = complaint_unit_rollup.mediated_successfully + excluded.mediated_successfully, rated_satisfied = complaint_unit_rollup.rated_satisfied + excluded.rated_satisfied, rated_basically_satisfied = complaint_unit_rollup.rated_basically_satisfied + excluded.rated_basically_satisfied, rated_dissatisfied = complaint_unit_rollup.rated_dissatisfied + excluded.rated_dissatisfied, recovered_fen = complaint_unit_rollup.recovered_fen + excluded.recovered_fen, advance_fen = complaint_unit_rollup.advance_fen + excluded.advance_fen;
END;

CREATE TRIGGER complaint_unit_rollup_update_old AFTER UPDATE ON complaints
WHEN OLD.accepted_on IS NOT NULL AND OLD.status IN ('negotiating', 'mediating', 'closed')
BEGIN
    INSERT INTO complaint_unit_rollup (area_code, year, organisation_id, industry, accepted, closed, mediated, mediated_successfully, rated_satisfied, rated_basically_satisfied, rated_dissatisfied, recovered_fen, advance_fen)
    VALUES (OLD.area_code, substr(OLD.accepted_on, 1, 4), COALESCE(OLD.organisation_id, 0), OLD.industry, -1, -(CASE WHEN OLD.status = 'closed' THEN 1 ELSE 0 END), -(CASE WHEN OLD.status = 'closed' AND OLD.outcome IS NOT NULL THEN 1 ELSE 0 END), -(CASE WHEN OLD.status = 'closed' AND OLD.outcome IN ('agreement', 'settlement') THEN 1 ELSE 0 END), -(CASE WHEN OLD.status = 'closed' AND OLD.rating = 'satisfied' THEN 1 ELSE 0 END), -(CASE WHEN OLD.status = 'closed' AND OLD.rating = 'basic' THEN 1 ELSE 0 END), -(CASE WHEN OLD.status = 'closed' AND OLD.rating = 'dissatisfied' THEN 1 ELSE 0 END), -(CASE WHEN OLD.status = 'closed' THEN OLD.recovered_fen ELSE 0 END), -(CASE WHEN OLD.status = 'closed' THEN OLD.advance_fen ELSE 0 END))
    ON CONFLICT (area_code, year, organisation_id, industry) DO UPDATE SET accepted = complaint_unit_rollup.accepted + excluded.accepted, closed = complaint_unit_rollup.closed + excluded.closed, mediated = complaint_unit_rollup.mediated + excluded.mediated, mediated_successfully = complaint_unit_rollup.mediated_successfully + excluded.mediated_successfully, rated_satisfied = complaint_unit_rollup.rated_satisfied + excluded.rated_satisfied, rated_basically_satisfied = complaint_unit_rollup.rated_basically_satisfied + excluded.rated_basically_satisfied, rated_dissatisfied = complaint_unit_rollup.rated_dissatisfied + excluded.rated_dissatisfied, recovered_fen = complaint_unit_rollup.recovered_fen + excluded.recovered_fen, advance_fen = complaint_unit_rollup.advance_fen + excluded.advance_fen;
END;

CREATE TRIGGER complaint_unit_rollup_update_new AFTER UPDATE ON complaints
WHEN NEW.accepted_on IS NOT NULL AND NEW.status IN ('negotiating', 'mediating', 'closed')
BEGIN
    INSERT INTO complaint_unit_rollup (area_code, year, organisation_id, industry, accepted, closed, mediated, mediated_successfully, rated_satisfied, rated_basically_satisfied, rated_dissatisfied, recovered_fen, advance_fen)
    VALUES (NEW.area_code, substr(NEW.accepted_on, 1, 4), COALESCE(NEW.organisation_id, 0), NEW.industry, 1, (CASE WHEN NEW.status = 'closed' THEN 1 ELSE 0 END), (CASE WHEN NEW.status = 'closed' AND NEW.outcome IS NOT NULL THEN 1 ELSE 0 END), (CASE WHEN NEW.status = 'closed' AND NEW.outcome IN ('agreement', 'settlement') THEN 1 ELSE 0 END), (CASE WHEN NEW.status = 'closed' AND NEW.rating = 'satisfied' THEN 1 ELSE 0 END), (CASE WHEN NEW.status = 'closed' AND NEW.rating = 'basic' THEN 1 ELSE 0 END), (CASE WHEN NEW.status = 'closed' AND NEW.rating = 'dissatisfied' THEN 1 ELSE 0 END), (CASE WHEN NEW.status = 'closed' THEN NEW.recovered_fen ELSE 0 END), (CASE WHEN NEW.status = 'closed' THEN NEW.advance_fen ELSE 0 END))
    ON CONFLICT (area_code, year, organisation_id, industry) DO UPDATE SET accepted = complaint_unit_rollup.accepted + excluded.accepted, closed = complaint_unit_rollup.closed + excluded.closed, mediated = complaint_unit_rollup.mediated + excluded.mediated, mediated_successfully = complaint_unit_rollup.mediated_successfully + excluded.mediated_successfully, rated_satisfied = complaint_unit_rollup.rated_satisfied + excluded.rated_satisfied, rated_basically_satisfied = complaint_unit_rollup.rated_basically_satisfied + excluded.rated_basically_satisfied, rated_dissatisfied = complaint_unit_rollup.rated_dissatisfied + excluded.rated_dissatisfied, recovered_fen = complaint_unit_rollup.recovered_fen + excluded.recovered_fen, advance_fen = complaint_unit_rollup.advance_fen + excluded.advance_fen;
END;

CREATE TRIGGER complaint_unit_rollup_delete_old AFTER DELETE ON complaints
WHEN OLD.accepted_on IS NOT NULL AND OLD.status IN ('negotiating', 'mediating', 'closed')
BEGIN
    INSERT INTO complaint_unit_rollup (area_code, year, organisation_id, industry, accepted, closed, mediated, mediated_successfully, rated_satisfied, rated_basically_satisfied, rated_dissatisfied, recovered_fen, advance_fen)
    VALUES (OLD.area_code, substr(OLD.accepted_on, 1, 4), COALESCE(OLD.organisation_id, 0), OLD.industry, -1, -(CASE WHEN OLD.status = 'closed' THEN 1 ELSE 0 END), -(CASE WHEN OLD.status = 'closed' AND OLD.outcome IS NOT NULL THEN 1 ELSE 0 END), -(CASE WHEN OLD.status = 'closed' AND OLD.outcome IN ('agreement', 'settlement') THEN 1 ELSE 0 END), -(CASE WHEN OLD.status = 'closed' AND OLD.rating = 'satisfied' THEN 1 ELSE 0 END), -(CASE WHEN OLD.status = 'closed' AND OLD.rating = 'basic' THEN 1 ELSE 0 END), -(CASE WHEN OLD.status = 'closed' AND OLD.rating = 'dissatisfied' THEN 1 ELSE 0 END), -(CASE WHEN OLD.status = 'closed' THEN OLD.recovered_fen ELSE 0 END), -(CASE WHEN OLD.status = 'closed' THEN OLD.advance_fen ELSE 0 END))
    ON CONFLICT (area_code, year, organisation_id, industry) DO UPDATE SET accepted = complaint_unit_rollup.accepted + excluded.accepted, closed = complaint_unit_rollup.closed + excluded.closed, mediated = complaint_unit_rollup.mediated + excluded.mediated, mediated_successfully = complaint_unit_rollup.mediated_successfully + excluded.mediated_successfully, rated_satisfied = complaint_unit_rollup.rated_satisfied + excluded.rated_satisfied, rated_basically_satisfied = complaint_unit_rollup.rated_basically_satisfied + excluded.rated_basically_satisfied, rated_dissatisfied = complaint_unit_rollup.rated_dissatisfied + excluded.rated_dissatisfied, recovered_fen = complaint_unit_rollup.recovered_fen + excluded.recovered_fen, advance_fen = complaint_unit_rollup.advance_fen + excluded.advance_fen;
END;

CREATE TRIGGER complaint_open_rollup_insert_new AFTER INSERT ON complaints
WHEN NEW.status IN ('received', 'negotiating', 'mediating')
BEGIN
    INSERT INTO complaint_open_rollup (area_code, industry, status, since, open_count)
    VALUES (NEW.area_code, NEW.industry, NEW.status, CASE WHEN NEW.status = 'received' THEN NEW.received_on ELSE COALESCE(NEW.accepted_on, NEW.received_on) END, 1)
    ON CONFLICT (area_code, industry, status, since) DO UPDATE SET open_count = complaint_open_rollup.open_count + excluded.open_count;
END;

CREATE TRIGGER complaint_open_rollup_update_old AFTER UPDATE ON complaints
WHEN OLD.status IN ('received', 'negotiating', 'mediating')
BEGIN
    INSERT INTO complaint_open_rollup (area_code, industry, status, since, open_count)
    VALUES (OLD.area_code, OLD.industry, OLD.status, CASE WHEN OLD.status = 'received' THEN OLD.received_on ELSE COALESCE(OLD.accepted_on, OLD.received_on) END, -1)
    ON CONFLICT (area_code, industry, status, since) DO UPDATE SET open_count = complaint_open_rollup.open_count + excluded.open_count;
END;

CREATE TRIGGER complaint_open_rollup_update_new AFTER UPDATE ON complaints
WHEN NEW.status IN ('received', 'negotiating', 'mediating')
BEGIN
    INSERT INTO complaint_open_rollup (area_code, industry, status, since, open_count)
    VALUES (NEW.area_code, NEW.industry, NEW.status, CASE WHEN NEW.status = 'received' THEN NEW.received_on ELSE COALESCE(NEW.accepted_on, NEW.received_on) END, 1)
    ON CONFLICT (area_code, industry, status, since) DO UPDATE SET open_count = complaint_open_rollup.open_count + excluded.open_count;
END;

CREATE TRIGGER complaint_open_rollup_delete_old AFTER DELETE ON complaints
WHEN OLD.status IN ('received', 'negotiating', 'mediating')
BEGIN
    INSERT INTO complaint_open_rollup (area_code, industry, status, since, open_count)
    VALUES (OLD.area_code, OLD.industry, OLD.status, CASE WHEN OLD.status = 'received' THEN OLD.received_on ELSE COALESCE(OLD.accepted_on, OLD.received_on) END, -1)
    ON CONFLICT (area_code, industry, status, since) DO UPDATE SET open_count = complaint_open_rollup.open_count + excluded.open_count;
END;

-- What is already stored.
INSERT INTO complaint_month_rollup (area_code, industry, month, accepted, closed, mediated, mediated_successfully, rated_satisfied, rated_basically_satisfied, rated_dissatisfied, recovered_fen, advance_fen)
SELECT c.area_code, c.industry, substr(c.accepted_on, 1, 7), SUM(1), SUM(CASE WHEN c.status = 'closed' THEN 1 ELSE 0 END), SUM(CASE WHEN c.status = 'closed' AND c.outcome IS NOT NULL THEN 1 ELSE 0 END), SUM(CASE WHEN c.status = 'closed' AND c.outcome IN ('agreement', 'settlement') THEN 1 ELSE 0 END), SUM(CASE WHEN c.status = 'closed' AND c.rating = 'satisfied' THEN 1 ELSE 0 END), SUM(CASE WHEN c.status = 'closed' AND c.rating = 'basic' THEN 1 ELSE 0 END), SUM(CASE WHEN c.status = 'closed' AND c.rating = 'dissatisfied' THEN 1 ELSE 0 END), SUM(CASE WHEN c.status = 'closed' THEN c.recovered_fen ELSE 0 END), SUM(CASE WHEN c.status = 'closed' THEN c.advance_fen ELSE 0 END)
FROM complaints c WHERE c.accepted_on IS NOT NULL AND c.status IN ('negotiating', 'mediating', 'closed')
GROUP BY 1, 2, 3;

INSERT INTO complaint_unit_rollup (area_code, year, organisation_id, industry, accepted, closed, mediated, mediated_successfully, rated_satisfied, rated_basically_satisfied, rated_dissatisfied, recovered_fen, advance_fen)
SELECT c.area_code, substr(c.accepted_on, 1, 4), COALESCE(c.organisation_id, 0), c.industry, SUM(1), SUM(CASE WHEN c.status = 'closed' THEN 1 ELSE 0 END), SUM(CASE WHEN c.status = 'closed' AND c.outcome IS NOT NULL THEN 1 ELSE 0 END), SUM(CASE WHEN c.status = 'closed' AND c.outcome IN ('agreement', 'settlement') THEN 1 ELSE 0 END), SUM(CASE WHEN c.status = 'closed' AND c.rating = 'satisfied' THEN 1 ELSE 0 END), SUM(CASE WHEN c.status = 'closed' AND c.rating = 'basic' THEN 1 ELSE 0 END), SUM(CASE WHEN c.status = 'closed' AND c.rating = 'dissatisfied' THEN 1 ELSE 0 END), SUM(CASE WHEN c.status = 'closed' THEN c.recovered_fen ELSE 0 END), SUM(CASE WHEN c.status = 'closed' THEN c.advance_fen ELSE 0 END)
FROM complaints c WHERE c.accepted_on IS NOT NULL AND c.status IN ('negotiating', 'mediating', 'closed')
GROUP BY 1, 2, 3, 4;

INSERT INTO complaint_open_rollup (area_code, industry, status, since, open_count)
SELECT c.area_code, c.industry, c.status, CASE WHEN c.status = 'received' THEN c.received_on ELSE COALESCE(c.accepted_on, c.received_on) END, COUNT(*)
FROM complaints c WHERE c.status IN ('received', 'negotiating', 'mediating')
GROUP BY 1, 2, 3, 4;

-- What changed, for live dashboards: one counter that every write to complaints or
-- applications bumps; each server instance polls it (one row, read every 100 ms).
CREATE TABLE live_changes (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO live_changes (id, version) VALUES (1, 0);

CREATE TRIGGER live_complaints_insert AFTER INSERT ON complaints
BEGIN
    UPDATE live_changes SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER live_complaints_update AFTER UPDATE ON complaints
BEGIN
    UPDATE live_changes SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER live_complaints_delete AFTER DELETE ON complaints
BEGIN
    UPDATE live_changes SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER live_applications_insert AFTER INSERT ON applications
BEGIN
    UPDATE live_changes SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER live_applications_update AFTER UPDATE ON applications
BEGIN
    UPDATE live_changes SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER live_applications_delete AFTER DELETE ON applications
BEGIN
    UPDATE live_changes SET version = version + 1 WHERE id = 1;
END;
