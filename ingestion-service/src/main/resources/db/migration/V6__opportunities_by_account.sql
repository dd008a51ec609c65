-- An account's opportunities, newest created first then by id: the federated Account.opportunities pages them by
-- keyset ((created_at, id) below the cursor's) and counts them, for many accounts in one statement (repository/CrmReadRepository).
create index crm_opportunity_account on crm_opportunity (workspace_id, account_id, created_at desc, id desc);
