-- The live channel announces only what dashboards and public pages show: an
-- application's state, category, organisation, batch and submission date. A draft's
-- autosave (data, step, revision) and drafts and proposals themselves (which no
-- dashboard counts) wake no dashboard and keep every cached public page.
-- Row triggers with conditions; NOTIFY folds repeats within one transaction.
DROP TRIGGER applications_changed ON applications;

CREATE TRIGGER applications_changed_insert AFTER INSERT ON applications
    FOR EACH ROW WHEN (NEW.state NOT IN ('draft', 'proposed'))
    EXECUTE FUNCTION applications_changed();
CREATE TRIGGER applications_changed_update AFTER UPDATE ON applications
    FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state
        OR OLD.category_code IS DISTINCT FROM NEW.category_code
        OR OLD.organisation_id IS DISTINCT FROM NEW.organisation_id
        OR OLD.batch_id IS DISTINCT FROM NEW.batch_id
        OR OLD.submitted_at IS DISTINCT FROM NEW.submitted_at)
    EXECUTE FUNCTION applications_changed();
CREATE TRIGGER applications_changed_delete AFTER DELETE ON applications
    FOR EACH ROW WHEN (OLD.state NOT IN ('draft', 'proposed'))
    EXECUTE FUNCTION applications_changed();
