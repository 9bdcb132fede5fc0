-- The public directory of recognised units (示范单位名录) filters by industry and shows
-- the name on the shop front and the address. They live in the application's JSON; the
-- recognition keeps a copy taken when it is made, so the directory reads one table and
-- what it shows does not change if the organisation later edits a new application.
ALTER TABLE recognitions ADD COLUMN display_name TEXT NOT NULL DEFAULT '';
ALTER TABLE recognitions ADD COLUMN industry TEXT NOT NULL DEFAULT '';
ALTER TABLE recognitions ADD COLUMN address TEXT NOT NULL DEFAULT '';

UPDATE recognitions SET
    display_name = COALESCE((SELECT json_extract(a.data, '$.identity.brand_name') FROM applications a WHERE a.id = recognitions.application_id), ''),
    industry = COALESCE((SELECT json_extract(a.data, '$.identity.industry') FROM applications a WHERE a.id = recognitions.application_id), ''),
    address = COALESCE((SELECT json_extract(a.data, '$.identity.address') FROM applications a WHERE a.id = recognitions.application_id), '');

CREATE INDEX recognitions_recognised ON recognitions(recognised_on, id);
