-- Indicator sets (分类评价指标) per batch and category, versioned. The county office
-- edits a set before its batch opens; once applications use it, it is frozen.

CREATE TABLE indicator_sets (
    id            INTEGER PRIMARY KEY,
    batch_id      INTEGER NOT NULL REFERENCES batches(id),
    category_code TEXT NOT NULL REFERENCES categories(code),
    version       INTEGER NOT NULL,
    basic_points  INTEGER NOT NULL,
    bonus_cap     INTEGER NOT NULL,
    pass_score    INTEGER NOT NULL,
    frozen        INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL,
    UNIQUE (batch_id, category_code, version)
);

CREATE TABLE indicator_items (
    id                INTEGER PRIMARY KEY,
    set_id            INTEGER NOT NULL REFERENCES indicator_sets(id),
    position          INTEGER NOT NULL,
    group_zh          TEXT NOT NULL,
    group_en          TEXT NOT NULL,
    text_zh           TEXT NOT NULL,
    text_en           TEXT NOT NULL,
    max_points        INTEGER NOT NULL,
    kind              TEXT NOT NULL CHECK (kind IN ('basic', 'veto', 'bonus')),
    evidence_required INTEGER NOT NULL DEFAULT 0,
    UNIQUE (set_id, position)
);
