-- The overdue counts' recent open clocks are read from the index alone (an index-only
-- scan once the pages are all-visible), not one heap fetch per roll-up row.
DROP INDEX complaint_open_rollup_by_since;
CREATE INDEX complaint_open_rollup_by_since ON complaint_open_rollup (since) INCLUDE (area_code, industry, status, open_count);
