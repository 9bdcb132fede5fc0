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
    accepted BIGINT NOT NULL DEFAULT 0,
    closed BIGINT NOT NULL DEFAULT 0,
    mediated BIGINT NOT NULL DEFAULT 0,
    mediated_successfully BIGINT NOT NULL DEFAULT 0,
    rated_satisfied BIGINT NOT NULL DEFAULT 0,
    rated_basically_satisfied BIGINT NOT NULL DEFAULT 0,
    rated_dissatisfied BIGINT NOT NULL DEFAULT 0,
    recovered_fen BIGINT NOT NULL DEFAULT 0,
    advance_fen BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (area_code, industry, month)
);
CREATE TABLE complaint_unit_rollup (
    area_code TEXT NOT NULL,
    year TEXT NOT NULL,
    organisation_id BIGINT NOT NULL,
    industry TEXT NOT NULL,
    accepted BIGINT NOT NULL DEFAULT 0,
    closed BIGINT NOT NULL DEFAULT 0,
    mediated BIGINT NOT NULL DEFAULT 0,
    mediated_successfully BIGINT NOT NULL DEFAULT 0,
    rated_satisfied BIGINT NOT NULL DEFAULT 0,
    rated_basically_satisfied BIGINT NOT NULL DEFAULT 0,
    rated_dissatisfied BIGINT NOT NULL DEFAULT 0,
    recovered_fen BIGINT NOT NULL DEFAULT 0,
    advance_fen BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (area_code, year, organisation_id, industry)
);
CREATE TABLE complaint_open_rollup (
    area_code TEXT NOT NULL,
    industry TEXT NOT NULL,
    status TEXT NOT NULL,
    since TEXT NOT NULL,
    open_count BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (area_code, industry, status, since)
);

CREATE FUNCTION complaints_rollup_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO complaint_month_rollup (area_code, industry, month, accepted, closed, mediated, mediated_successfully, rated_satisfied, rated_basically_satisfied, rated_dissatisfied, recovered_fen, advance_fen)
        SELECT c.area_code, c.industry, substr(c.accepted_on, 1, 7), -SUM(1), -SUM(CASE WHEN c.status = 'closed' THEN 1 ELSE 0 END), -SUM(CASE WHEN c.status = 'closed' AND c.outcome IS NOT NULL THEN 1 ELSE 0 END), -SUM(CASE WHEN c.status = 'closed' AND c.outcome IN ('agreement', 'settlement') THEN 1 ELSE 0 END), -SUM(CASE WHEN c.status = 'closed' AND c.rating = 'satisfied' THEN 1 ELSE 0 END), -SUM(CASE WHEN c.status = 'closed' AND c.rating = 'basic' THEN 1 ELSE 0 END), -SUM(CASE WHEN c.status = 'closed' AND c.rating = 'dissatisfied' THEN 1 ELSE 0 END), -SUM(CASE WHEN c.status = 'closed' THEN c.recovered_fen ELSE 0 END), -SUM(CASE WHEN c.status = 'closed' THEN c.advance_fen ELSE 0 END)
        FROM old_rows c WHERE c.accepted_on IS NOT NULL AND c.status IN ('negotiating', 'mediating', 'closed')
        GROUP BY 1, 2, 3
        ORDER BY 1, 2, 3
        ON CONFLICT (area_code, industry, month) DO UPDATE SET accepted = complaint_month_rollup.accepted + excluded.accepted, closed = complaint_month_rollup.closed + excluded.closed, mediated = complaint_month_rollup.mediated + excluded.mediated, mediated_successfully = complaint_month_rollup.mediated_successfully + excluded.mediated_successfully, rated_satisfied = complaint_month_rollup.rated_satisfied + excluded.rated_satisfied, rated_basically_satisfied = complaint_month_rollup.rated_basically_satisfied + excluded.rated_basically_satisfied, rated_dissatisfied = complaint_month_rollup.rated_dissatisfied + excluded.rated_dissatisfied, recovered_fen = complaint_month_rollup.recovered_fen + excluded.recovered_fen, advance_fen = complaint_month_rollup.advance_fen + excluded.advance_fen;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO complaint_month_rollup (area_code, industry, month, accepted, closed, mediated, mediated_successfully, rated_satisfied, rated_basically_satisfied, rated_dissatisfied, recovered_fen, advance_fen)
        SELECT c.area_code, c.industry, substr(c.accepted_on, 1, 7), SUM(1), SUM(CASE WHEN c.status = 'closed' THEN 1 ELSE 0 END), SUM(CASE WHEN c.status = 'closed' AND c.outcome IS NOT NULL THEN 1 ELSE 0 END), SUM(CASE WHEN c.status = 'closed' AND c.outcome IN ('agreement', 'settlement') THEN 1 ELSE 0 END), SUM(CASE WHEN c.status = 'closed' AND c.rating = 'satisfied' THEN 1 ELSE 0 END), SUM(CASE WHEN c.status = 'closed' AND c.rating = 'basic' THEN 1 ELSE 0 END), SUM(CASE WHEN c.status = 'closed' AND c.rating = 'dissatisfied' THEN 1 ELSE 0 END), SUM(CASE WHEN c.status = 'closed' THEN c.recovered_fen ELSE 0 END), SUM(CASE WHEN c.status = 'closed' THEN c.advance_fen ELSE 0 END)
        FROM new_rows c WHERE c.accepted_on IS NOT NULL AND c.status IN ('negotiating', 'mediating', 'closed')
        GROUP BY 1, 2, 3
        ORDER BY 1, 2, 3
        ON CONFLICT (area_code, industry, month) DO UPDATE SET accepted = complaint_month_rollup.accepted + excluded.accepted, closed = complaint_month_rollup.closed + excluded.closed, mediated = complaint_month_rollup.mediated + excluded.mediated, mediated_successfully = complaint_month_rollup.mediated_successfully + excluded.mediated_successfully, rated_satisfied = complaint_month_rollup.rated_satisfied + excluded.rated_satisfied, rated_basically_satisfied = complaint_month_rollup.rated_basically_satisfied + excluded.rated_basically_satisfied, rated_dissatisfied = complaint_month_rollup.rated_dissatisfied + excluded.rated_dissatisfied, recovered_fen = complaint_month_rollup.recovered_fen + excluded.recovered_fen, advance_fen = complaint_month_rollup.advance_fen + excluded.advance_fen;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO complaint_unit_rollup (area_code, year, organisation_id, industry, accepted, closed, mediated, mediated_successfully, rated_satisfied, rated_basically_satisfied, rated_dissatisfied, recovered_fen, advance_fen)
        SELECT c.area_code, substr(c.accepted_on, 1, 4), COALESCE(c.organisation_id, 0), c.industry, -SUM(1), -SUM(CASE WHEN c.status = 'closed' THEN 1 ELSE 0 END), -SUM(CASE WHEN c.status = 'closed' AND c.outcome IS NOT NULL THEN 1 ELSE 0 END), -SUM(CASE WHEN c.status = 'closed' AND c.outcome IN ('agreement', 'settlement') THEN 1 ELSE 0 END), -SUM(CASE WHEN c.status = 'closed' AND c.rating = 'satisfied' THEN 1 ELSE 0 END), -SUM(CASE WHEN c.status = 'closed' AND c.rating = 'basic' THEN 1 ELSE 0 END), -SUM(CASE WHEN c.status = 'closed' AND c.rating = 'dissatisfied' THEN 1 ELSE 0 END), -SUM(CASE WHEN c.status = 'closed' THEN c.recovered_fen ELSE 0 END), -SUM(CASE WHEN c.status = 'closed' THEN c.advance_fen ELSE 0 END)
        FROM old_rows c WHERE c.accepted_on IS NOT NULL AND c.status IN ('negotiating', 'mediating', 'closed')
        GROUP BY 1, 2, 3, 4
        ORDER BY 1, 2, 3, 4
        ON CONFLICT (area_code, year, organisation_id, industry) DO UPDATE SET accepted = complaint_unit_rollup.accepted + excluded.accepted, closed = complaint_unit_rollup.closed + excluded.closed, mediated = complaint_unit_rollup.mediated + excluded.mediated, mediated_successfully = complaint_unit_rollup.mediated_successfully + excluded.mediated_successfully, rated_satisfied = complaint_unit_rollup.rated_satisfied + excluded.rated_satisfied, rated_basically_satisfied = complaint_unit_rollup.rated_basically_satisfied + excluded.rated_basically_satisfied, rated_dissatisfied = complaint_unit_rollup.rated_dissatisfied + excluded.rated_dissatisfied, recovered_fen = complaint_unit_rollup.recovered_fen + excluded.recovered_fen, advance_fen = complaint_unit_rollup.advance_fen + excluded.advance_fen;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO complaint_unit_rollup (area_code, year, organisation_id, industry, accepted, closed, mediated, mediated_successfully, rated_satisfied, rated_basically_satisfied, rated_dissatisfied, recovered_fen, advance_fen)
        SELECT c.area_code, substr(c.accepted_on, 1, 4), COALESCE(c.organisation_id, 0), c.industry, SUM(1), SUM(CASE WHEN c.status = 'closed' THEN 1 ELSE 0 END), SUM(CASE WHEN c.status = 'closed' AND c.outcome IS NOT NULL THEN 1 ELSE 0 END), SUM(CASE WHEN c.status = 'closed' AND c.outcome IN ('agreement', 'settlement') THEN 1 ELSE 0 END), SUM(CASE WHEN c.status = 'closed' AND c.rating = 'satisfied' THEN 1 ELSE 0 END), SUM(CASE WHEN c.status = 'closed' AND c.rating = 'basic' THEN 1 ELSE 0 END), SUM(CASE WHEN c.status = 'closed' AND c.rating = 'dissatisfied' THEN 1 ELSE 0 END), SUM(CASE WHEN c.status = 'closed' THEN c.recovered_fen ELSE 0 END), SUM(CASE WHEN c.status = 'closed' THEN c.advance_fen ELSE 0 END)
        FROM new_rows c WHERE c.accepted_on IS NOT NULL AND c.status IN ('negotiating', 'mediating', 'closed')
        GROUP BY 1, 2, 3, 4
        ORDER BY 1, 2, 3, 4
        ON CONFLICT (area_code, year, organisation_id, industry) DO UPDATE SET accepted = complaint_unit_rollup.accepted + excluded.accepted, closed = complaint_unit_rollup.closed + excluded.closed, mediated = complaint_unit_rollup.mediated + excluded.mediated, mediated_successfully = complaint_unit_rollup.mediated_successfully + excluded.mediated_successfully, rated_satisfied = complaint_unit_rollup.rated_satisfied + excluded.rated_satisfied, rated_basically_satisfied = complaint_unit_rollup.rated_basically_satisfied + excluded.rated_basically_satisfied, rated_dissatisfied = complaint_unit_rollup.rated_dissatisfied + excluded.rated_dissatisfied, recovered_fen = complaint_unit_rollup.recovered_fen + excluded.recovered_fen, advance_fen = complaint_unit_rollup.advance_fen + excluded.advance_fen;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO complaint_open_rollup (area_code, industry, status, since, open_count)
        SELECT c.area_code, c.industry, c.status, CASE WHEN c.status = 'received' THEN c.received_on ELSE COALESCE(c.accepted_on, c.received_on) END, -COUNT(*)
        FROM old_rows c WHERE c.status IN ('received', 'negotiating', 'mediating')
        GROUP BY 1, 2, 3, 4
        ORDER BY 1, 2, 3, 4
        ON CONFLICT (area_code, industry, status, since) DO UPDATE SET open_count = complaint_open_rollup.open_count + excluded.open_count;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO complaint_open_rollup (area_code, industry, status, since, open_count)
        SELECT c.area_code, c.industry, c.status, CASE WHEN c.status = 'received' THEN c.received_on ELSE COALESCE(c.accepted_on, c.received_on) END, COUNT(*)
        FROM new_rows c WHERE c.status IN ('received', 'negotiating', 'mediating')
        GROUP BY 1, 2, 3, 4
        ORDER BY 1, 2, 3, 4
        ON CONFLICT (area_code, industry, status, since) DO UPDATE SET open_count = complaint_open_rollup.open_count + excluded.open_count;
    END IF;
    PERFORM pg_notify('fangxin_changes', 'complaints');
    RETURN NULL;
END
$$;

-- Statement triggers with transition tables: one grouped upsert per statement, so a
-- 500-row import batch costs one aggregate, not 500 upserts.
CREATE TRIGGER complaints_rollup_insert AFTER INSERT ON complaints
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION complaints_rollup_apply();
CREATE TRIGGER complaints_rollup_update AFTER UPDATE ON complaints
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION complaints_rollup_apply();
CREATE TRIGGER complaints_rollup_delete AFTER DELETE ON complaints
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION complaints_rollup_apply();

-- What changed, for live dashboards on every instance: NOTIFY is delivered at commit
-- to each instance's LISTEN connection.
CREATE FUNCTION applications_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('fangxin_changes', 'applications');
    RETURN NULL;
END
$$;
CREATE TRIGGER applications_changed AFTER INSERT OR UPDATE OR DELETE ON applications
    FOR EACH STATEMENT EXECUTE FUNCTION applications_changed();

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
