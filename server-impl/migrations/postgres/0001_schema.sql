-- The PostgreSQL schema: the same tables and columns as the SQLite
-- migrations (times as RFC 3339 text, enums by their wire names), with a
-- `position` per imported record for exports to page by. A record table's
-- primary key is (tenant, environment, position), the order exports read a
-- scope in, so it needs no index of its own for that.

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
    total_records BIGINT,
    processed_records BIGINT,
    successful_records BIGINT,
    failed_records BIGINT,
    error_summary TEXT,
    started_at TEXT,
    completed_at TEXT,
    failed_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    -- The process holding a task (NULL: nobody) and when it last said it is alive.
    worker_id TEXT,
    heartbeat_at TEXT
);

CREATE INDEX tasks_scope_created ON tasks (tenant_id, environment_id, created_at);

CREATE TABLE api_keys (
    key_hash TEXT PRIMARY KEY NOT NULL,
    hash_prefix TEXT NOT NULL,
    tenant_id TEXT NOT NULL,
    environment_id TEXT NOT NULL,
    label TEXT NOT NULL,
    created_at TEXT NOT NULL,
    origin TEXT NOT NULL DEFAULT 'config',
    hint TEXT NOT NULL DEFAULT '',
    last_used_at TEXT
);

CREATE INDEX api_keys_prefix ON api_keys (hash_prefix);

CREATE INDEX tasks_work ON tasks (task_status, created_at);

CREATE TABLE secrets (
    name TEXT PRIMARY KEY NOT NULL,
    value BYTEA NOT NULL
);

-- One table per entity type. `task_id` and `record_number` name the import
-- (and the record in its file) a row came from: a re-run stores nothing twice.
CREATE TABLE imported_events (
    position BIGSERIAL NOT NULL,
    tenant_id TEXT NOT NULL,
    environment_id TEXT NOT NULL,
    task_id TEXT NOT NULL,
    record_number BIGINT NOT NULL,
    event_id TEXT NOT NULL,
    event_name TEXT NOT NULL,
    external_customer_id TEXT NOT NULL,
    customer_id TEXT,
    timestamp TEXT NOT NULL,
    source TEXT,
    properties TEXT NOT NULL,
    PRIMARY KEY (tenant_id, environment_id, position),
    UNIQUE (task_id, record_number),
    UNIQUE (tenant_id, environment_id, event_id)
);

CREATE TABLE imported_customers (
    position BIGSERIAL NOT NULL,
    tenant_id TEXT NOT NULL,
    environment_id TEXT NOT NULL,
    task_id TEXT NOT NULL,
    record_number BIGINT NOT NULL,
    external_id TEXT NOT NULL,
    name TEXT NOT NULL,
    email TEXT,
    address_line1 TEXT,
    address_line2 TEXT,
    address_city TEXT,
    address_state TEXT,
    address_postal_code TEXT,
    address_country TEXT,
    PRIMARY KEY (tenant_id, environment_id, position),
    UNIQUE (task_id, record_number),
    UNIQUE (tenant_id, environment_id, external_id)
);

CREATE TABLE imported_features (
    position BIGSERIAL NOT NULL,
    tenant_id TEXT NOT NULL,
    environment_id TEXT NOT NULL,
    task_id TEXT NOT NULL,
    record_number BIGINT NOT NULL,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    lookup_key TEXT,
    unit_singular TEXT,
    unit_plural TEXT,
    meter_name TEXT,
    event_name TEXT,
    aggregation_type TEXT,
    aggregation_field TEXT,
    PRIMARY KEY (tenant_id, environment_id, position),
    UNIQUE (task_id, record_number),
    UNIQUE (tenant_id, environment_id, lookup_key)
);

CREATE TABLE imported_prices (
    position BIGSERIAL NOT NULL,
    tenant_id TEXT NOT NULL,
    environment_id TEXT NOT NULL,
    task_id TEXT NOT NULL,
    record_number BIGINT NOT NULL,
    amount TEXT,
    currency TEXT,
    type TEXT,
    billing_period TEXT,
    billing_period_count BIGINT,
    billing_model TEXT,
    lookup_key TEXT,
    description TEXT,
    display_name TEXT,
    PRIMARY KEY (tenant_id, environment_id, position),
    UNIQUE (task_id, record_number),
    UNIQUE (tenant_id, environment_id, lookup_key)
);

