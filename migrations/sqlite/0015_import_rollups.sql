-- A 12315 import adds its rows to the roll-ups once, with one grouped upsert per roll-up
-- over the whole file when it commits (`ImportRun::commit`), instead of one upsert per
-- row and roll-up here: per-row triggers made a million-row import several times
-- slower. So the insert triggers leave out rows that carry an import_id; updates and
-- deletes of imported rows still go through the triggers like any other row.

DROP TRIGGER complaint_month_rollup_insert_new;
DROP TRIGGER complaint_unit_rollup_insert_new;
DROP TRIGGER complaint_open_rollup_insert_new;
DROP TRIGGER complaint_open_total_insert_new;
DROP TRIGGER live_complaints_insert;

CREATE TRIGGER complaint_month_rollup_insert_new AFTER INSERT ON complaints
WHEN NEW.import_id IS NULL AND NEW.accepted_on IS NOT NULL AND NEW.status IN ('negotiating', 'mediating', 'closed')
BEGIN
    INSERT INTO complaint_month_rollup (area_code, industry, month, accepted, closed, mediated, mediated_successfully, rated_satisfied, rated_basically_satisfied, rated_dissatisfied, recovered_fen, advance_fen)
    VALUES (NEW.area_code, NEW.industry, substr(NEW.accepted_on, 1, 7), 1, (CASE WHEN NEW.status = 'closed' THEN 1 ELSE 0 END), (CASE WHEN NEW.status = 'closed' AND NEW.outcome IS NOT NULL THEN 1 ELSE 0 END), (CASE WHEN NEW.status = 'closed' AND NEW.outcome IN ('agreement', 'settlement') THEN 1 ELSE 0 END), (CASE WHEN NEW.status = 'closed' AND NEW.rating = 'satisfied' THEN 1 ELSE 0 END), (CASE WHEN NEW.status = 'closed' AND NEW.rating = 'basic' THEN 1 ELSE 0 END), (CASE WHEN NEW.status = 'closed' AND NEW.rating = 'dissatisfied' THEN 1 ELSE 0 END), (CASE WHEN NEW.status = 'closed' THEN NEW.recovered_fen ELSE 0 END), (CASE WHEN NEW.status = 'closed' THEN NEW.advance_fen ELSE 0 END))
    ON CONFLICT (area_code, industry, month) DO UPDATE SET accepted = complaint_month_rollup.accepted + excluded.accepted, closed = complaint_month_rollup.closed + excluded.closed, mediated = complaint_month_rollup.mediated + excluded.mediated, mediated_successfully = complaint_month_rollup.mediated_successfully + excluded.mediated_successfully, rated_satisfied = complaint_month_rollup.rated_satisfied + excluded.rated_satisfied, rated_basically_satisfied = complaint_month_rollup.rated_basically_satisfied + excluded.rated_basically_satisfied, rated_dissatisfied = complaint_month_rollup.rated_dissatisfied + excluded.rated_dissatisfied, recovered_fen = complaint_month_rollup.recovered_fen + excluded.recovered_fen, advance_fen = complaint_month_rollup.advance_fen + excluded.advance_fen;
END;

CREATE TRIGGER complaint_unit_rollup_insert_new AFTER INSERT ON complaints
WHEN NEW.import_id IS NULL AND NEW.accepted_on IS NOT NULL AND NEW.status IN ('negotiating', 'mediating', 'closed')
BEGIN
    INSERT INTO complaint_unit_rollup (area_code, year, organisation_id, industry, accepted, closed, mediated, mediated_successfully, rated_satisfied, rated_basically_satisfied, rated_dissatisfied, recovered_fen, advance_fen)
    VALUES (NEW.area_code, substr(NEW.accepted_on, 1, 4), COALESCE(NEW.organisation_id, 0), NEW.industry, 1, (CASE WHEN NEW.status = 'closed' THEN 1 ELSE 0 END), (CASE WHEN NEW.status = 'closed' AND NEW.outcome IS NOT NULL THEN 1 ELSE 0 END), (CASE WHEN NEW.status = 'closed' AND NEW.outcome IN ('agreement', 'settlement') THEN 1 ELSE 0 END), (CASE WHEN NEW.status = 'closed' AND NEW.rating = 'satisfied' THEN 1 ELSE 0 END), (CASE WHEN NEW.status = 'closed' AND NEW.rating = 'basic' THEN 1 ELSE 0 END), (CASE WHEN NEW.status = 'closed' AND NEW.rating = 'dissatisfied' THEN 1 ELSE 0 END), (CASE WHEN NEW.status = 'closed' THEN NEW.recovered_fen ELSE 0 END), (CASE WHEN NEW.status = 'closed' THEN NEW.advance_fen ELSE 0 END))
    ON CONFLICT (area_code, year, organisation_id, industry) DO UPDATE SET accepted = complaint_unit_rollup.accepted + excluded.accepted, closed = complaint_unit_rollup.closed + excluded.closed, mediated = complaint_unit_rollup.mediated + excluded.mediated, mediated_successfully = complaint_unit_rollup.mediated_successfully + excluded.mediated_successfully, rated_satisfied = complaint_unit_rollup.rated_satisfied + excluded.rated_satisfied, rated_basically_satisfied = complaint_unit_rollup.rated_basically_satisfied + excluded.rated_basically_satisfied, rated_dissatisfied = complaint_unit_rollup.rated_dissatisfied + excluded.rated_dissatisfied, recovered_fen = complaint_unit_rollup.recovered_fen + excluded.recovered_fen, advance_fen = complaint_unit_rollup.advance_fen + excluded.advance_fen;
END;

CREATE TRIGGER complaint_open_rollup_insert_new AFTER INSERT ON complaints
WHEN NEW.import_id IS NULL AND NEW.status IN ('received', 'negotiating', 'mediating')
BEGIN
    INSERT INTO complaint_open_rollup (area_code, industry, status, since, open_count)
    VALUES (NEW.area_code, NEW.industry, NEW.status, CASE WHEN NEW.status = 'received' THEN NEW.received_on ELSE COALESCE(NEW.accepted_on, NEW.received_on) END, 1)
    ON CONFLICT (area_code, industry, status, since) DO UPDATE SET open_count = complaint_open_rollup.open_count + excluded.open_count;
END;

CREATE TRIGGER complaint_open_total_insert_new AFTER INSERT ON complaints
WHEN NEW.import_id IS NULL AND NEW.status IN ('received', 'negotiating', 'mediating')
BEGIN
    INSERT INTO complaint_open_total (area_code, industry, status, open_count)
    VALUES (NEW.area_code, NEW.industry, NEW.status, 1)
    ON CONFLICT (area_code, industry, status) DO UPDATE SET open_count = complaint_open_total.open_count + excluded.open_count;
END;

CREATE TRIGGER live_complaints_insert AFTER INSERT ON complaints
WHEN NEW.import_id IS NULL
BEGIN
    UPDATE live_changes SET version = version + 1 WHERE id = 1;
END;
