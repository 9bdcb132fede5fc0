-- Complaints by registered organisation: only rows linked to one belong in the index.
-- Most complaints (a 12315 export's, nearly all) name a business that is not registered
-- here; keeping their NULLs out makes the index a fraction of the table's size, and a
-- big import no longer sorts a million NULLs into it. Every query that reads it says
-- `organisation_id = …` or `organisation_id IS NOT NULL`, which the WHERE below allows.
DROP INDEX complaints_organisation;
CREATE INDEX complaints_organisation ON complaints(organisation_id, received_on)
    WHERE organisation_id IS NOT NULL;
