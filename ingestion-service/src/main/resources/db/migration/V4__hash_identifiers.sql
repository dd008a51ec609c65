-- A workspace's hashIdentifiers setting (DESIGN §6, privacy/IdentifierHashing): emails and phones stored and matched as
-- keyed hashes, personal fields of raw payloads redacted. Changed only while the workspace holds no data (PrivacySettingsService).
alter table workspace add column hash_identifiers boolean not null default false;
