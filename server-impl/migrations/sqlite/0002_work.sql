-- The background worker's claims, the link-signing secret, and the imported records.

-- The process holding a task (NULL: nobody) and when it last said it is alive.
ALTER TABLE tasks ADD COLUMN worker_id TEXT;
ALTER TABLE tasks ADD COLUMN heartbeat_at TEXT;
CREATE INDEX tasks_work ON tasks (task_status, created_at);

CREATE TABLE secrets (
    name TEXT PRIMARY KEY NOT NULL,
    value BLOB NOT NULL
);

-- One table per entity type. `task_id` and `record_number` name the import
-- (and the record in its file) a row came from: a re-run stores nothing twice.
CREATE TABLE imported_events (
    tenant_id TEXT NOT NULL,
    environment_id TEXT NOT NULL,
    task_id TEXT NOT NULL,
    record_number INTEGER NOT NULL,
    event_id TEXT NOT NULL,
    event_name TEXT NOT NULL,
    external_customer_id TEXT NOT NULL,
    customer_id TEXT,
    timestamp TEXT NOT NULL,
    source TEXT,
    properties TEXT NOT NULL,
    UNIQUE (task_id, record_number),
    UNIQUE (tenant_id, environment_id, event_id)
);

CREATE TABLE imported_customers (
    tenant_id TEXT NOT NULL,
    environment_id TEXT NOT NULL,
    task_id TEXT NOT NULL,
    record_number INTEGER NOT NULL,
    external_id TEXT NOT NULL,
    name TEXT NOT NULL,
    email TEXT,
    address_line1 TEXT,
    address_line2 TEXT,
    address_city TEXT,
    address_state TEXT,
    address_postal_code TEXT,
    address_country TEXT,
    UNIQUE (task_id, record_number),
    UNIQUE (tenant_id, environment_id, external_id)
);

CREATE TABLE imported_features (
    tenant_id TEXT NOT NULL,
    environment_id TEXT NOT NULL,
    task_id TEXT NOT NULL,
    record_number INTEGER NOT NULL,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    lookup_key TEXT,
    unit_singular TEXT,
    unit_plural TEXT,
    meter_name TEXT,
    event_name TEXT,
    aggregation_type TEXT,
    aggregation_field TEXT,
    UNIQUE (task_id, record_number),
    UNIQUE (tenant_id, environment_id, lookup_key)
);

CREATE TABLE imported_prices (
    tenant_id TEXT NOT NULL,
    environment_id TEXT NOT NULL,
    task_id TEXT NOT NULL,
    record_number INTEGER NOT NULL,
    amount TEXT,
    currency TEXT,
    type TEXT,
    billing_period TEXT,
    billing_period_count INTEGER,
    billing_model TEXT,
    lookup_key TEXT,
    description TEXT,
    display_name TEXT,
    UNIQUE (task_id, record_number),
    UNIQUE (tenant_id, environment_id, lookup_key)
);

CREATE INDEX imported_events_scope ON imported_events (tenant_id, environment_id);
CREATE INDEX imported_customers_scope ON imported_customers (tenant_id, environment_id);
CREATE INDEX imported_features_scope ON imported_features (tenant_id, environment_id);
CREATE INDEX imported_prices_scope ON imported_prices (tenant_id, environment_id);
