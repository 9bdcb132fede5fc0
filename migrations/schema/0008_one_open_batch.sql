-- One batch of an area is open for applications at a time.
CREATE UNIQUE INDEX batches_one_open ON batches(area_code) WHERE status = 'open';
