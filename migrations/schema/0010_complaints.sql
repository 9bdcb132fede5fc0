-- Consumer complaints (消费投诉) and what is done with them: filed on the web or from a
-- plaque's QR code, entered by staff, or imported from a 12315 export; handled at the
-- business's desk (ODR) or mediated; rated by the consumer through a signed link.

CREATE TABLE complaint_imports (
    id          {id},
    file_name   TEXT NOT NULL,
    rows_read   {int} NOT NULL,
    rows_bad    {int} NOT NULL,
    -- imported | rejected
    outcome     TEXT NOT NULL,
    -- the row-level error report (CSV), when rows were bad
    report      TEXT,
    imported_by TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE complaints (
    id                {id},
    -- what the consumer follows it by (TS + 10 characters); none for imported ones
    tracking_code     TEXT UNIQUE,
    -- the 12315 complaint number of an imported (or entered) complaint
    external_no       TEXT UNIQUE,
    -- web | staff | import
    source            TEXT NOT NULL,
    channel           TEXT NOT NULL,
    consumer_name     TEXT NOT NULL,
    consumer_phone    TEXT NOT NULL,
    organisation_id   {int} REFERENCES organisations(id),
    unit_name         TEXT NOT NULL,
    unit_credit_code  TEXT,
    area_code         TEXT NOT NULL REFERENCES areas(code),
    industry          TEXT NOT NULL,
    summary           TEXT NOT NULL,
    demand            TEXT NOT NULL DEFAULT '',
    -- received | negotiating | mediating | closed | not_accepted
    status            TEXT NOT NULL,
    received_on       TEXT NOT NULL,
    accepted_on       TEXT,
    closed_on         TEXT,
    outcome           TEXT,
    refusal_ground    TEXT,
    recovered_fen     {int} NOT NULL DEFAULT 0,
    advance_fen       {int} NOT NULL DEFAULT 0,
    rating            TEXT,
    rated_at          TEXT,
    -- the business's side (ODR): when it contacted the consumer, what it offered,
    -- and whether it gave up (then staff escalate to mediation)
    unit_contacted_on TEXT,
    unit_offer        TEXT,
    unit_failed       {int} NOT NULL DEFAULT 0,
    import_id         {int} REFERENCES complaint_imports(id),
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
CREATE INDEX complaints_received ON complaints(received_on);
CREATE INDEX complaints_area ON complaints(area_code, received_on);
CREATE INDEX complaints_organisation ON complaints(organisation_id, received_on);
CREATE INDEX complaints_status ON complaints(status);

-- What happened to a complaint, in order (the consumer's tracking page shows it).
CREATE TABLE complaint_events (
    id           {id},
    complaint_id {int} NOT NULL REFERENCES complaints(id),
    at           TEXT NOT NULL,
    actor        TEXT NOT NULL,
    text_zh      TEXT NOT NULL,
    text_en      TEXT NOT NULL
);
CREATE INDEX complaint_events_complaint ON complaint_events(complaint_id, id);
