-- The same request twice is one erasure while it runs; once done, asking again starts a new job (it erases what
-- arrived since, e.g. a message stored in the instant the first request committed).
alter table erasure_job drop constraint erasure_job_workspace_id_request_hash_key;
create unique index erasure_job_running_request on erasure_job (workspace_id, request_hash) where stage <> 'DONE';
