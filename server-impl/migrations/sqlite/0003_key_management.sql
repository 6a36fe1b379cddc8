-- Where a key came from (the configuration, the development key of a first
-- start, or `server-impl keys add`), a hint of its first characters for
-- `keys list`, and when it last authenticated a request.
ALTER TABLE api_keys ADD COLUMN origin TEXT NOT NULL DEFAULT 'config';
ALTER TABLE api_keys ADD COLUMN hint TEXT NOT NULL DEFAULT '';
ALTER TABLE api_keys ADD COLUMN last_used_at TEXT;
-- Development keys from before this migration have the development scope.
UPDATE api_keys SET origin = 'dev' WHERE tenant_id = 'tenant_dev' AND environment_id = 'env_dev';
