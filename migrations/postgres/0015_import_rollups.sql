-- A 12315 import adds its rows to the roll-ups once, with one grouped upsert per roll-up
-- over the whole file when it commits (`ImportRun::commit`), instead of one per 500-row
-- batch here, followed by an UPDATE that linked organisations and ran every roll-up
-- again. The import marks its transaction with the setting `fangxin.importing` (local
-- to that transaction), and the insert triggers stand aside while it is on; updates and
-- deletes, including of imported rows, go through the triggers as before.
DROP TRIGGER complaints_rollup_insert ON complaints;
DROP TRIGGER complaint_open_total_insert ON complaints;

CREATE TRIGGER complaints_rollup_insert AFTER INSERT ON complaints
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    WHEN (COALESCE(current_setting('fangxin.importing', true), '') <> 'on')
    EXECUTE FUNCTION complaints_rollup_apply();
CREATE TRIGGER complaint_open_total_insert AFTER INSERT ON complaints
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    WHEN (COALESCE(current_setting('fangxin.importing', true), '') <> 'on')
    EXECUTE FUNCTION complaint_open_total_apply();
