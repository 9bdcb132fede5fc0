-- Evidence files of applications. The bytes live in the object store under their
-- SHA-256 (the same file uploaded twice is stored once); this table says which
-- application and slot each belongs to, and who uploaded it.
-- Agents: an application prepared by another organisation (a street, village or
-- association for a merchant in its area) waits for the merchant to confirm.

CREATE TABLE evidence_files (
    id             {id},
    application_id {int} NOT NULL REFERENCES applications(id),
    slot           TEXT NOT NULL,
    object_key     TEXT NOT NULL,
    media_type     TEXT NOT NULL,
    size_bytes     {int} NOT NULL,
    original_name  TEXT NOT NULL,
    uploaded_by    {int} NOT NULL REFERENCES accounts(id),
    uploaded_at    TEXT NOT NULL,
    removed_at     TEXT
);
CREATE INDEX evidence_files_app ON evidence_files(application_id);

ALTER TABLE applications ADD COLUMN agent_organisation_id {int} REFERENCES organisations(id);
ALTER TABLE applications ADD COLUMN handed_over_at TEXT;
