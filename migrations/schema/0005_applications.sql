-- Applications: the wizard's draft (JSON text, saved with a revision number so a stale
-- autosave from another device or a replayed offline queue cannot overwrite newer
-- work), and an immutable snapshot of exactly what was submitted.

CREATE TABLE applications (
    id                 {id},
    organisation_id    {int} NOT NULL REFERENCES organisations(id),
    batch_id           {int} NOT NULL REFERENCES batches(id),
    category_code      TEXT NOT NULL REFERENCES categories(code),
    indicator_set_id   {int} NOT NULL REFERENCES indicator_sets(id),
    state              TEXT NOT NULL,
    step               TEXT NOT NULL,
    data               TEXT NOT NULL,
    revision           {int} NOT NULL,
    prepared_by        {int} REFERENCES accounts(id),
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    submitted_at       TEXT
);
CREATE INDEX applications_org ON applications(organisation_id);
CREATE INDEX applications_batch_state ON applications(batch_id, state);
-- At most one open application per organisation, batch and category.
CREATE UNIQUE INDEX applications_one_open ON applications(organisation_id, batch_id, category_code)
    WHERE state NOT IN ('rejected', 'revoked', 'expired');

CREATE TABLE application_snapshots (
    id             {id},
    application_id {int} NOT NULL REFERENCES applications(id),
    revision       {int} NOT NULL,
    data           TEXT NOT NULL,
    submitted_at   TEXT NOT NULL,
    submitted_by   {int} NOT NULL REFERENCES accounts(id)
);
CREATE INDEX application_snapshots_app ON application_snapshots(application_id);
