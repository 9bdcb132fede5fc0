-- Indicator sets (分类评价指标) per batch and category, versioned. The county office
-- edits a set before its batch opens; once applications use it, it is frozen.

CREATE TABLE indicator_sets (
    id            {id},
    batch_id      {int} NOT NULL REFERENCES batches(id),
    category_code TEXT NOT NULL REFERENCES categories(code),
    version       {int} NOT NULL,
    basic_points  {int} NOT NULL,
    bonus_cap     {int} NOT NULL,
    pass_score    {int} NOT NULL,
    frozen        {int} NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL,
    UNIQUE (batch_id, category_code, version)
);

CREATE TABLE indicator_items (
    id                {id},
    set_id            {int} NOT NULL REFERENCES indicator_sets(id),
    position          {int} NOT NULL,
    group_zh          TEXT NOT NULL,
    group_en          TEXT NOT NULL,
    text_zh           TEXT NOT NULL,
    text_en           TEXT NOT NULL,
    max_points        {int} NOT NULL,
    kind              TEXT NOT NULL CHECK (kind IN ('basic', 'veto', 'bonus')),
    evidence_required {int} NOT NULL DEFAULT 0,
    UNIQUE (set_id, position)
);
