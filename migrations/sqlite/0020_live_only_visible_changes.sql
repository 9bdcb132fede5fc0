-- The live channel announces only what dashboards and public pages show: an
-- application's state, category, organisation, batch and submission date. A draft's
-- autosave (data, step, revision) and drafts and proposals themselves (which no
-- dashboard counts) wake no dashboard and keep every cached public page.
DROP TRIGGER live_applications_insert;
DROP TRIGGER live_applications_update;
DROP TRIGGER live_applications_delete;

CREATE TRIGGER live_applications_insert AFTER INSERT ON applications
WHEN NEW.state NOT IN ('draft', 'proposed')
BEGIN
    UPDATE live_changes SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER live_applications_update AFTER UPDATE ON applications
WHEN OLD.state IS NOT NEW.state
    OR OLD.category_code IS NOT NEW.category_code
    OR OLD.organisation_id IS NOT NEW.organisation_id
    OR OLD.batch_id IS NOT NEW.batch_id
    OR OLD.submitted_at IS NOT NEW.submitted_at
BEGIN
    UPDATE live_changes SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER live_applications_delete AFTER DELETE ON applications
WHEN OLD.state NOT IN ('draft', 'proposed')
BEGIN
    UPDATE live_changes SET version = version + 1 WHERE id = 1;
END;
