-- B2C (DESIGN §3, §9): a person resolved to no company is their own account, keyed
-- 'person:<person id>', so a B2C conversion's journey is that person's touches and a person
-- without a conversion is a non-converting journey of the data-driven models, through the same
-- account-keyed code as B2B. An opportunity naming no account takes the account of its first
-- contact role's person (account_derived), and follows it when that membership changes.
alter table opportunity add column account_derived boolean not null default false;

update membership set account_id = 'person:' || person_id where account_id is null and person_id is not null;

-- Derived opportunities are found by their first contact role when its membership changes.
create index opportunity_by_first_contact on opportunity (workspace_id, (contact_ids[1])) where account_derived;
