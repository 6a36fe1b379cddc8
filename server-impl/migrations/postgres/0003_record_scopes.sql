-- Record tables keyed for the import's own work (BENCHMARKS.md, "On
-- PostgreSQL"): every row carries a small integer for its tenant and
-- environment instead of both texts, and the primary key is (scope, task,
-- record number), which makes a re-run store nothing twice and gives exports
-- their order (task by task, each in file order), so the `position` column,
-- its sequence and its index are gone. Keys compare bytewise (COLLATE "C"):
-- they are identifiers, and equality is all that is asked of them.

CREATE TABLE scopes (
    id INTEGER GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    environment_id TEXT NOT NULL,
    UNIQUE (tenant_id, environment_id)
);

INSERT INTO scopes (tenant_id, environment_id)
SELECT tenant_id, environment_id FROM imported_events
UNION SELECT tenant_id, environment_id FROM imported_customers
UNION SELECT tenant_id, environment_id FROM imported_features
UNION SELECT tenant_id, environment_id FROM imported_prices
ORDER BY 1, 2;

ALTER TABLE imported_events ADD COLUMN scope_id INTEGER;
UPDATE imported_events r SET scope_id = s.id FROM scopes s
 WHERE s.tenant_id = r.tenant_id AND s.environment_id = r.environment_id;
ALTER TABLE imported_events
    DROP COLUMN position,
    DROP COLUMN tenant_id,
    DROP COLUMN environment_id,
    DROP CONSTRAINT imported_events_task_id_record_number_key,
    ALTER COLUMN scope_id SET NOT NULL,
    ALTER COLUMN task_id TYPE TEXT COLLATE "C",
    ALTER COLUMN event_id TYPE TEXT COLLATE "C",
    ADD PRIMARY KEY (scope_id, task_id, record_number),
    ADD UNIQUE (scope_id, event_id);

ALTER TABLE imported_customers ADD COLUMN scope_id INTEGER;
UPDATE imported_customers r SET scope_id = s.id FROM scopes s
 WHERE s.tenant_id = r.tenant_id AND s.environment_id = r.environment_id;
ALTER TABLE imported_customers
    DROP COLUMN position,
    DROP COLUMN tenant_id,
    DROP COLUMN environment_id,
    DROP CONSTRAINT imported_customers_task_id_record_number_key,
    ALTER COLUMN scope_id SET NOT NULL,
    ALTER COLUMN task_id TYPE TEXT COLLATE "C",
    ALTER COLUMN external_id TYPE TEXT COLLATE "C",
    ADD PRIMARY KEY (scope_id, task_id, record_number),
    ADD UNIQUE (scope_id, external_id);

ALTER TABLE imported_features ADD COLUMN scope_id INTEGER;
UPDATE imported_features r SET scope_id = s.id FROM scopes s
 WHERE s.tenant_id = r.tenant_id AND s.environment_id = r.environment_id;
ALTER TABLE imported_features
    DROP COLUMN position,
    DROP COLUMN tenant_id,
    DROP COLUMN environment_id,
    DROP CONSTRAINT imported_features_task_id_record_number_key,
    ALTER COLUMN scope_id SET NOT NULL,
    ALTER COLUMN task_id TYPE TEXT COLLATE "C",
    ALTER COLUMN lookup_key TYPE TEXT COLLATE "C",
    ADD PRIMARY KEY (scope_id, task_id, record_number),
    ADD UNIQUE (scope_id, lookup_key);

ALTER TABLE imported_prices ADD COLUMN scope_id INTEGER;
UPDATE imported_prices r SET scope_id = s.id FROM scopes s
 WHERE s.tenant_id = r.tenant_id AND s.environment_id = r.environment_id;
ALTER TABLE imported_prices
    DROP COLUMN position,
    DROP COLUMN tenant_id,
    DROP COLUMN environment_id,
    DROP CONSTRAINT imported_prices_task_id_record_number_key,
    ALTER COLUMN scope_id SET NOT NULL,
    ALTER COLUMN task_id TYPE TEXT COLLATE "C",
    ALTER COLUMN lookup_key TYPE TEXT COLLATE "C",
    ADD PRIMARY KEY (scope_id, task_id, record_number),
    ADD UNIQUE (scope_id, lookup_key);
