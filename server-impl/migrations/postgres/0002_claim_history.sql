-- The worker a task was claimed from: set when a claim takes over a stale one
-- (the lease takeovers /metrics counts).
ALTER TABLE tasks ADD COLUMN previous_worker_id TEXT;
