-- Township pre-review (乡镇初审): each decision on a submitted application, with the
-- checklist as ticked, comments per wizard step and the recommendation or the reasons.

CREATE TABLE township_reviews (
    id             {id},
    application_id {int} NOT NULL REFERENCES applications(id),
    reviewer_id    {int} NOT NULL REFERENCES accounts(id),
    decision       TEXT NOT NULL,
    checklist      TEXT NOT NULL,
    comments       TEXT NOT NULL,
    summary        TEXT NOT NULL,
    decided_at     TEXT NOT NULL
);
CREATE INDEX township_reviews_app ON township_reviews(application_id);
