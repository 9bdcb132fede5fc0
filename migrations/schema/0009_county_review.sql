-- County review to recognition (工作步骤 4–7): the panel and its independent scores,
-- rectification, public notices and objections, recognition (certificates and plaque
-- tokens), re-inspection and revocation, the holiday calendars the office loads, and
-- every party's in-app inbox.

-- Reviewers on the panel of a batch and category.
CREATE TABLE panel_members (
    id            {id},
    batch_id      {int} NOT NULL REFERENCES batches(id),
    category_code TEXT NOT NULL REFERENCES categories(code),
    account_id    {int} NOT NULL REFERENCES accounts(id),
    added_at      TEXT NOT NULL,
    UNIQUE (batch_id, category_code, account_id)
);

-- One reviewer on one application in one round (round 2 is the acceptance after a
-- rectification). status: assigned | recused | scored.
CREATE TABLE panel_assignments (
    id             {id},
    application_id {int} NOT NULL REFERENCES applications(id),
    round          {int} NOT NULL,
    reviewer_id    {int} NOT NULL REFERENCES accounts(id),
    status         TEXT NOT NULL,
    conflict       TEXT,
    conflict_note  TEXT,
    scores         TEXT,
    total          {int},
    vetoed         {int},
    comment        TEXT,
    assigned_at    TEXT NOT NULL,
    scored_at      TEXT,
    UNIQUE (application_id, round, reviewer_id)
);
CREATE INDEX panel_assignments_reviewer ON panel_assignments(reviewer_id, status);

-- On-site inspection notes (photos are evidence files in slot site.<id>).
CREATE TABLE site_visits (
    id             {id},
    application_id {int} NOT NULL REFERENCES applications(id),
    reviewer_id    {int} NOT NULL REFERENCES accounts(id),
    note           TEXT NOT NULL,
    created_at     TEXT NOT NULL
);
CREATE INDEX site_visits_app ON site_visits(application_id);

-- The panel's result per round. outcome: passed | failed.
CREATE TABLE panel_results (
    id             {id},
    application_id {int} NOT NULL REFERENCES applications(id),
    round          {int} NOT NULL,
    method         TEXT NOT NULL,
    score_tenths   {int} NOT NULL,
    spread         {int} NOT NULL,
    vetoed         {int} NOT NULL,
    outcome        TEXT NOT NULL,
    decided_by     {int} NOT NULL REFERENCES accounts(id),
    decided_at     TEXT NOT NULL,
    UNIQUE (application_id, round)
);

-- A failure's rectification: the failed items as to-dos (JSON), due six months later.
CREATE TABLE rectifications (
    id             {id},
    application_id {int} NOT NULL UNIQUE REFERENCES applications(id),
    opened_on      TEXT NOT NULL,
    due_on         TEXT NOT NULL,
    items          TEXT NOT NULL,
    report         TEXT,
    reported_at    TEXT,
    reminded       TEXT NOT NULL
);

-- Holiday calendars (holiday-cn JSON) the office loaded beyond the built-in ones.
CREATE TABLE holiday_calendars (
    year       {int} PRIMARY KEY,
    source     TEXT NOT NULL,
    loaded_by  {int} NOT NULL REFERENCES accounts(id),
    loaded_at  TEXT NOT NULL
);

CREATE TABLE notices (
    id             {id},
    batch_id       {int} NOT NULL REFERENCES batches(id),
    title          TEXT NOT NULL,
    published_on   TEXT NOT NULL,
    ends_on        TEXT NOT NULL,
    working_days   {int} NOT NULL,
    first_day_counts {int} NOT NULL,
    created_by     {int} NOT NULL REFERENCES accounts(id),
    created_at     TEXT NOT NULL,
    recognised_at  TEXT
);

-- An application is on one notice (a second notice would be a new decision).
CREATE TABLE notice_entries (
    notice_id      {int} NOT NULL REFERENCES notices(id),
    application_id {int} NOT NULL UNIQUE REFERENCES applications(id),
    PRIMARY KEY (notice_id, application_id)
);

CREATE TABLE objections (
    id             {id},
    notice_id      {int} NOT NULL REFERENCES notices(id),
    application_id {int} NOT NULL REFERENCES applications(id),
    name           TEXT NOT NULL,
    contact        TEXT NOT NULL,
    facts          TEXT NOT NULL,
    evidence       TEXT NOT NULL,
    filed_at       TEXT NOT NULL,
    assigned_to    {int} REFERENCES accounts(id),
    respond_by     TEXT NOT NULL,
    status         TEXT NOT NULL,
    outcome        TEXT,
    decided_by     {int} REFERENCES accounts(id),
    decided_at     TEXT
);
CREATE INDEX objections_app ON objections(application_id, status);

-- A recognised demonstrator: certificate number and the plaque's unguessable token.
CREATE TABLE recognitions (
    id              {id},
    application_id  {int} NOT NULL UNIQUE REFERENCES applications(id),
    organisation_id {int} NOT NULL REFERENCES organisations(id),
    certificate_no  TEXT NOT NULL UNIQUE,
    token           TEXT NOT NULL UNIQUE,
    recognised_on   TEXT NOT NULL,
    valid_until     TEXT NOT NULL,
    revoked_on      TEXT,
    revoke_reason   TEXT
);

-- Re-inspections (复查): planned for a sample or all, each with its result.
-- result: NULL while planned | kept | revoked.
CREATE TABLE reinspections (
    id             {id},
    recognition_id {int} NOT NULL REFERENCES recognitions(id),
    plan           TEXT NOT NULL,
    planned_at     TEXT NOT NULL,
    inspector_id   {int} REFERENCES accounts(id),
    result         TEXT,
    note           TEXT,
    inspected_at   TEXT
);
CREATE INDEX reinspections_rec ON reinspections(recognition_id);

-- In-app messages, to an account or to every account of an organisation.
CREATE TABLE notifications (
    id              {id},
    account_id      {int} REFERENCES accounts(id),
    organisation_id {int} REFERENCES organisations(id),
    text_zh         TEXT NOT NULL,
    text_en         TEXT NOT NULL,
    link            TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    read_at         TEXT
);
CREATE INDEX notifications_account ON notifications(account_id);
CREATE INDEX notifications_org ON notifications(organisation_id);
