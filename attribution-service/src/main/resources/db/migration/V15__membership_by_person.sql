-- The CONTACT_ROLES journey of one opportunity reads the touches of its contact roles' persons
-- wherever they are resolved (DESIGN §4), so memberships are found by person too.
create index membership_by_person on membership (workspace_id, person_id);
