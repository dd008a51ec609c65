-- Replaced versions are kept for closedloop.versions.keep (DataVersions deletes older ones in batches, found by this index).
create index replaced_row_by_age on replaced_row (replaced_at);
