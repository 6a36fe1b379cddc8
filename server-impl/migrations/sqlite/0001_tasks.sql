-- Tasks and the API keys that scope them to a tenant and an environment.
CREATE TABLE tasks (
    id TEXT PRIMARY KEY NOT NULL,
    tenant_id TEXT NOT NULL,
    environment_id TEXT NOT NULL,
    task_type TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    file_url TEXT NOT NULL,
    file_name TEXT,
    file_type TEXT NOT NULL,
    task_status TEXT NOT NULL,
    status TEXT NOT NULL,
    workflow_id TEXT NOT NULL UNIQUE,
    run_id TEXT NOT NULL,
    scheduled_task_id TEXT,
    metadata TEXT,
    total_records INTEGER,
    processed_records INTEGER,
    successful_records INTEGER,
    failed_records INTEGER,
    error_summary TEXT,
    started_at TEXT,
    completed_at TEXT,
    failed_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL
);

CREATE INDEX tasks_scope_created ON tasks (tenant_id, environment_id, created_at);

CREATE TABLE api_keys (
    key_hash TEXT PRIMARY KEY NOT NULL,
    hash_prefix TEXT NOT NULL,
    tenant_id TEXT NOT NULL,
    environment_id TEXT NOT NULL,
    label TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE INDEX api_keys_prefix ON api_keys (hash_prefix);
