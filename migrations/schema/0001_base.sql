-- Base schema: areas, categories, member units, campaign batches.
-- Times are RFC 3339 UTC text, dates are ISO text: the same values on both databases.

CREATE TABLE areas (
    code        TEXT PRIMARY KEY,
    parent_code TEXT REFERENCES areas(code),
    level       TEXT NOT NULL CHECK (level IN ('province', 'city', 'county', 'township')),
    name_zh     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    sort_order  {int} NOT NULL DEFAULT 0
);
CREATE INDEX areas_parent ON areas(parent_code);

CREATE TABLE categories (
    code           TEXT PRIMARY KEY,
    name_zh        TEXT NOT NULL,
    name_en        TEXT NOT NULL,
    description_zh TEXT NOT NULL,
    description_en TEXT NOT NULL,
    sort_order     {int} NOT NULL DEFAULT 0
);

CREATE TABLE member_units (
    code      TEXT PRIMARY KEY,
    area_code TEXT NOT NULL REFERENCES areas(code),
    name_zh   TEXT NOT NULL,
    name_en   TEXT NOT NULL,
    sort_order {int} NOT NULL DEFAULT 0
);

CREATE TABLE category_member_units (
    category_code    TEXT NOT NULL REFERENCES categories(code),
    member_unit_code TEXT NOT NULL REFERENCES member_units(code),
    role             TEXT NOT NULL CHECK (role IN ('lead', 'cooperating')),
    PRIMARY KEY (category_code, member_unit_code)
);

CREATE TABLE batches (
    id                 {id},
    area_code          TEXT NOT NULL REFERENCES areas(code),
    name_zh            TEXT NOT NULL,
    name_en            TEXT NOT NULL,
    status             TEXT NOT NULL CHECK (status IN ('planned', 'open', 'closed')),
    application_opens  TEXT NOT NULL,
    application_closes TEXT NOT NULL,
    review_opens       TEXT NOT NULL,
    review_closes      TEXT NOT NULL,
    created_at         TEXT NOT NULL
);
CREATE INDEX batches_area_status ON batches(area_code, status);

-- Settings the county office can change without a release, and markers such as
-- "the demo data has been loaded".
CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
