/** Schema migrations, applied in order; PRAGMA user_version records how many ran. Never edit a shipped one. */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE domains (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, created_at INTEGER NOT NULL);
  CREATE TABLE projects (
    id TEXT PRIMARY KEY, domain_id TEXT NOT NULL REFERENCES domains(id), name TEXT NOT NULL,
    created_at INTEGER NOT NULL, UNIQUE (domain_id, name));
  CREATE TABLE users (
    id TEXT PRIMARY KEY, domain_id TEXT NOT NULL REFERENCES domains(id), name TEXT NOT NULL,
    password_hash TEXT NOT NULL, created_at INTEGER NOT NULL, UNIQUE (domain_id, name));
  CREATE TABLE tokens (
    hash TEXT PRIMARY KEY, kind TEXT NOT NULL CHECK (kind IN ('api', 'session')),
    user_id TEXT NOT NULL REFERENCES users(id), project_id TEXT NOT NULL REFERENCES projects(id),
    expires_at INTEGER NOT NULL, created_at INTEGER NOT NULL);
  CREATE INDEX tokens_expiry ON tokens (expires_at);

  -- One row per AI-application version; versions of one application share its name.
  CREATE TABLE apps (
    id TEXT PRIMARY KEY, project_id TEXT NOT NULL REFERENCES projects(id), name TEXT NOT NULL,
    version TEXT NOT NULL, status TEXT NOT NULL, description TEXT NOT NULL DEFAULT '',
    deploy_types TEXT NOT NULL, docs TEXT NOT NULL DEFAULT '[]',
    source_type TEXT NOT NULL, source_uri TEXT NOT NULL,
    model_type TEXT NOT NULL DEFAULT '', runtime TEXT NOT NULL DEFAULT '', model_algorithm TEXT NOT NULL DEFAULT '',
    config TEXT, size_bytes INTEGER, store_path TEXT,
    created_at INTEGER NOT NULL, UNIQUE (project_id, name, version));

  CREATE TABLE services (
    id TEXT PRIMARY KEY, project_id TEXT NOT NULL REFERENCES projects(id), name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '', status TEXT NOT NULL,
    desired_state TEXT NOT NULL CHECK (desired_state IN ('running', 'stopped')),
    app_id TEXT NOT NULL REFERENCES apps(id), traffic_weight INTEGER NOT NULL,
    pool TEXT NOT NULL, flavor TEXT NOT NULL, instance_count INTEGER NOT NULL, envs TEXT NOT NULL,
    deploy_timeout_min INTEGER NOT NULL, auto_stop_enabled INTEGER NOT NULL, auto_stop_hours INTEGER NOT NULL,
    deploy_started_at INTEGER, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
    UNIQUE (project_id, name));

  CREATE TABLE instances (
    id TEXT PRIMARY KEY, service_id TEXT NOT NULL REFERENCES services(id) ON DELETE CASCADE,
    status TEXT NOT NULL, port INTEGER, pid INTEGER, restarts INTEGER NOT NULL DEFAULT 0,
    started_at INTEGER, created_at INTEGER NOT NULL);

  CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT, project_id TEXT NOT NULL, resource_type TEXT NOT NULL,
    resource_id TEXT NOT NULL, code TEXT NOT NULL, type TEXT NOT NULL, args TEXT NOT NULL,
    message TEXT NOT NULL, created_at INTEGER NOT NULL);
  CREATE INDEX events_resource ON events (resource_type, resource_id, id);

  CREATE TABLE logs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, service_id TEXT NOT NULL, instance_id TEXT NOT NULL,
    ts INTEGER NOT NULL, stream TEXT NOT NULL, line TEXT NOT NULL);
  CREATE INDEX logs_service_ts ON logs (service_id, ts);
  `,
  // Issue 5: users and projects, bucket ownership, guide statuses, per-user quota, lifecycle.
  `
  ALTER TABLE users ADD COLUMN is_admin INTEGER NOT NULL DEFAULT 0;
  UPDATE users SET is_admin = 1 WHERE name = 'admin';
  CREATE TABLE project_members (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL, PRIMARY KEY (user_id, project_id));
  INSERT INTO project_members (user_id, project_id, created_at)
    SELECT u.id, p.id, u.created_at FROM users u JOIN projects p ON p.domain_id = u.domain_id;
  -- Buckets belong to a project; the folder under obs/ holds the objects.
  CREATE TABLE buckets (
    name TEXT PRIMARY KEY, project_id TEXT NOT NULL REFERENCES projects(id), created_at INTEGER NOT NULL);
  CREATE INDEX buckets_project ON buckets (project_id);
  UPDATE apps SET status = 'building' WHERE status = 'importing';
  -- The guide's quota counts online services per user.
  ALTER TABLE services ADD COLUMN owner_user_id TEXT;
  UPDATE services SET owner_user_id = (SELECT id FROM users ORDER BY created_at LIMIT 1);
  -- Auto-stop deadline (epoch ms) while running with auto-stop on; survives restarts.
  ALTER TABLE services ADD COLUMN auto_stop_at INTEGER;
  -- Why the service is in its status (last exit reason and log tail for failed, waiting reason).
  ALTER TABLE services ADD COLUMN status_reason TEXT NOT NULL DEFAULT '';
  `,
  // Issue 6: resource pools of nodes, placed instances, containers, engine stats, the image repository.
  `
  CREATE TABLE pools (
    id TEXT PRIMARY KEY, runtime TEXT NOT NULL, description TEXT NOT NULL DEFAULT '', created_at INTEGER NOT NULL);
  INSERT INTO pools (id, runtime, description, created_at) VALUES ('local', 'process', 'This machine: instances run as confined processes.', 0);
  -- A node is a Docker Engine endpoint (unix:// or tcp:// with TLS), or this machine for the process pool.
  CREATE TABLE nodes (
    id TEXT PRIMARY KEY, pool_id TEXT NOT NULL REFERENCES pools(id), name TEXT NOT NULL UNIQUE, endpoint TEXT NOT NULL,
    tls TEXT, is_auto INTEGER NOT NULL DEFAULT 0, status TEXT NOT NULL DEFAULT 'unknown', status_reason TEXT NOT NULL DEFAULT '',
    inventory TEXT, inventory_at INTEGER, created_at INTEGER NOT NULL,
    -- What the scheduler may hand out (JSON {cpus, memoryGiB}); NULL: the engine's cores and memory.
    allocatable TEXT);
  -- Each start, restart or update of a service is a new generation; older containers are never adopted.
  ALTER TABLE services ADD COLUMN generation INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE instances ADD COLUMN node_id TEXT;
  ALTER TABLE instances ADD COLUMN gpu_ids TEXT NOT NULL DEFAULT '[]';
  ALTER TABLE instances ADD COLUMN container_id TEXT;
  ALTER TABLE instances ADD COLUMN host TEXT;
  ALTER TABLE instances ADD COLUMN generation INTEGER NOT NULL DEFAULT 0;
  -- Engine stats samples per instance (docker stats), kept for the monitoring charts.
  CREATE TABLE instance_stats (
    service_id TEXT NOT NULL, instance_id TEXT NOT NULL, ts INTEGER NOT NULL, cpu_pct REAL, mem_bytes INTEGER,
    mem_limit_bytes INTEGER, net_rx_bytes INTEGER, net_tx_bytes INTEGER, blk_read_bytes INTEGER, blk_write_bytes INTEGER);
  CREATE INDEX instance_stats_service_ts ON instance_stats (service_id, ts);
  -- AI applications that run their own image (guide §2.2.4): image, call interface, start command, probes (JSON).
  ALTER TABLE apps ADD COLUMN container TEXT;
  -- The output of the last image build of an application with dependencies (shown on its page).
  ALTER TABLE apps ADD COLUMN build_log TEXT;
  -- Push credentials of each project in the image repository (shown on the repository page).
  CREATE TABLE registry_credentials (
    project_id TEXT PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE, username TEXT NOT NULL UNIQUE,
    password TEXT NOT NULL, created_at INTEGER NOT NULL);
  `,
  // Issue 7: gateway credentials (AK/SK, APP authentication, service tokens) and access settings of services.
  `
  -- Permanent access keys of a user (guide §3.1.4.2.2). The SK signs requests, so it is kept
  -- encrypted with the master key (secret-box.ts), never hashed.
  CREATE TABLE access_keys (
    access_key TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    secret_enc TEXT NOT NULL, description TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('active', 'inactive')), created_at INTEGER NOT NULL, last_used_at INTEGER);
  CREATE INDEX access_keys_user ON access_keys (user_id);
  -- APP authentication (guide §3.1.4.2.3): apps of a project, their AppCodes, and the services each may call.
  CREATE TABLE auth_apps (
    id TEXT PRIMARY KEY, project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE, name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '', app_key TEXT NOT NULL UNIQUE, app_secret_enc TEXT NOT NULL,
    created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, UNIQUE (project_id, name));
  CREATE TABLE auth_app_codes (
    id TEXT PRIMARY KEY, app_id TEXT NOT NULL REFERENCES auth_apps(id) ON DELETE CASCADE,
    code_enc TEXT NOT NULL, code_hash TEXT NOT NULL UNIQUE, created_at INTEGER NOT NULL);
  CREATE TABLE auth_app_bindings (
    app_id TEXT NOT NULL REFERENCES auth_apps(id) ON DELETE CASCADE,
    service_id TEXT NOT NULL REFERENCES services(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL, PRIMARY KEY (app_id, service_id));
  CREATE INDEX auth_app_bindings_service ON auth_app_bindings (service_id);
  -- Per service: APP authentication on or off, its own token (PAI-EAS style, encrypted), a QPS
  -- limit (guide table 3-2 "traffic limit"; NULL: none) and the WebSocket upgrade chosen at deploy.
  ALTER TABLE services ADD COLUMN app_auth INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE services ADD COLUMN token_enc TEXT;
  ALTER TABLE services ADD COLUMN qps_limit INTEGER;
  ALTER TABLE services ADD COLUMN websocket INTEGER NOT NULL DEFAULT 0;
  `,
  // Issue 7: personalized configuration rules of a service (guide §3.1.2): an ordered JSON list of
  // {condition, versionId, headerName, headerValue}; empty: every request follows the weights.
  `
  ALTER TABLE services ADD COLUMN rules TEXT NOT NULL DEFAULT '[]';
  `,
  // Issue 7: several AI-application versions per service (guide "add a version for gray release"),
  // each with its traffic weight, flavor, instance count and variables; every instance belongs to one.
  // The services columns app_id and flavor mirror the first version; instance_count is the total.
  `
  CREATE TABLE service_versions (
    id TEXT PRIMARY KEY, service_id TEXT NOT NULL REFERENCES services(id) ON DELETE CASCADE,
    app_id TEXT NOT NULL REFERENCES apps(id), weight INTEGER NOT NULL, flavor TEXT NOT NULL,
    instance_count INTEGER NOT NULL, envs TEXT NOT NULL, position INTEGER NOT NULL, created_at INTEGER NOT NULL);
  CREATE INDEX service_versions_service ON service_versions (service_id, position);
  INSERT INTO service_versions (id, service_id, app_id, weight, flavor, instance_count, envs, position, created_at)
    SELECT id, id, app_id, 100, flavor, instance_count, envs, 0, created_at FROM services;
  ALTER TABLE instances ADD COLUMN version_id TEXT;
  UPDATE instances SET version_id = service_id;
  `,
  // Issue 7: the request mode of an AI application (guide table 2-11): synchronous, or asynchronous
  // (the caller gets a request id at once and fetches the result later).
  `
  ALTER TABLE apps ADD COLUMN request_mode TEXT NOT NULL DEFAULT 'sync' CHECK (request_mode IN ('sync', 'async'));
  `,
  // Issue 8: monitoring metrics (guide table 5-1): one row per series (metric × service × version ×
  // instance; '' where the series is the version's or the service's), 1-minute points kept 7 days,
  // hourly aggregates kept 90 days (both configurable).
  `
  CREATE TABLE metric_series (
    id INTEGER PRIMARY KEY, service_id TEXT NOT NULL, metric TEXT NOT NULL, model_id TEXT NOT NULL, instance_id TEXT NOT NULL,
    UNIQUE (service_id, metric, model_id, instance_id));
  CREATE TABLE metric_points (series_id INTEGER NOT NULL, ts INTEGER NOT NULL, value REAL NOT NULL, PRIMARY KEY (series_id, ts)) WITHOUT ROWID;
  CREATE INDEX metric_points_ts ON metric_points (ts);
  CREATE TABLE metric_hourly (
    series_id INTEGER NOT NULL, ts INTEGER NOT NULL, avg REAL NOT NULL, min REAL NOT NULL, max REAL NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (series_id, ts)) WITHOUT ROWID;
  `,
  // Issue 8: alarm rules (guide §5.2) and what they produce: alarms (firing, then resolved), the
  // console's notifications (the bell) and webhook delivery attempts.
  `
  CREATE TABLE alarm_rules (
    id TEXT PRIMARY KEY, project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE, rule TEXT NOT NULL,
    webhook_secret_enc TEXT NOT NULL, created_at INTEGER NOT NULL);
  CREATE TABLE alarms (
    id TEXT PRIMARY KEY, rule_id TEXT NOT NULL, project_id TEXT NOT NULL, service_id TEXT NOT NULL, version_id TEXT NOT NULL,
    rule_name TEXT NOT NULL, severity TEXT NOT NULL, metric TEXT NOT NULL, comparison TEXT NOT NULL, threshold REAL NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('firing', 'resolved')), value REAL NOT NULL, fired_at INTEGER NOT NULL, resolved_at INTEGER);
  CREATE INDEX alarms_project ON alarms (project_id, fired_at);
  CREATE TABLE notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT, project_id TEXT NOT NULL, alarm_id TEXT NOT NULL, title TEXT NOT NULL, message TEXT NOT NULL,
    created_at INTEGER NOT NULL, read_at INTEGER);
  CREATE INDEX notifications_project ON notifications (project_id, id);
  CREATE TABLE webhook_deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT, project_id TEXT NOT NULL, alarm_id TEXT NOT NULL, url TEXT NOT NULL, event TEXT NOT NULL,
    attempt INTEGER NOT NULL, status TEXT NOT NULL, http_status INTEGER, error TEXT NOT NULL, at INTEGER NOT NULL);
  CREATE INDEX webhook_deliveries_alarm ON webhook_deliveries (alarm_id, id);
  `,
  // Issue 8: log lines indexed for search (SQLite FTS5, trigram tokenizer: any substring of 3+
  // characters, case-insensitive), kept in step with \`logs\` by triggers.
  `
  CREATE VIRTUAL TABLE logs_fts USING fts5(line, content='logs', content_rowid='id', tokenize='trigram case_sensitive 0');
  CREATE TRIGGER logs_fts_insert AFTER INSERT ON logs BEGIN INSERT INTO logs_fts (rowid, line) VALUES (new.id, new.line); END;
  CREATE TRIGGER logs_fts_delete AFTER DELETE ON logs BEGIN INSERT INTO logs_fts (logs_fts, rowid, line) VALUES ('delete', old.id, old.line); END;
  INSERT INTO logs_fts (logs_fts) VALUES ('rebuild');
  -- Searches without an index filter read a service's newest lines first.
  CREATE INDEX logs_service_id ON logs (service_id, id);
  `,
  // Issue 8: request-trace settings per service (sampling, ring size, payload capture); the traces themselves are in memory.
  `
  CREATE TABLE trace_settings (service_id TEXT PRIMARY KEY REFERENCES services(id) ON DELETE CASCADE, settings TEXT NOT NULL);
  `,
  // Issue 8: where a service's logs are also sent (object storage, syslog or Loki).
  `
  CREATE TABLE log_exports (service_id TEXT PRIMARY KEY REFERENCES services(id) ON DELETE CASCADE, target TEXT NOT NULL);
  `,
  // Issue 8: the evaluator looks up firing alarms every minute, and housekeeping drops old alarm
  // history, notifications and webhook deliveries by age.
  `
  CREATE INDEX alarms_firing ON alarms (state, rule_id, service_id, version_id);
  CREATE INDEX alarms_service ON alarms (service_id, state);
  CREATE INDEX alarms_resolved ON alarms (resolved_at);
  CREATE INDEX notifications_created ON notifications (created_at);
  CREATE INDEX webhook_deliveries_at ON webhook_deliveries (at);
  `,
  // Issue 9: training jobs (guide §2.2.1): a job's definition, its runs (V001, V002, … under its
  // output folder) and the runs' log lines.
  `
  CREATE TABLE training_jobs (
    id TEXT PRIMARY KEY, project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE, name TEXT NOT NULL,
    spec TEXT NOT NULL, created_at INTEGER NOT NULL, UNIQUE (project_id, name));
  CREATE TABLE training_runs (
    id TEXT PRIMARY KEY, job_id TEXT NOT NULL REFERENCES training_jobs(id) ON DELETE CASCADE, version INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'succeeded', 'failed', 'stopped')), status_reason TEXT NOT NULL DEFAULT '',
    output_uri TEXT NOT NULL, pid INTEGER, created_at INTEGER NOT NULL, started_at INTEGER, ended_at INTEGER, UNIQUE (job_id, version));
  CREATE TABLE training_logs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL REFERENCES training_runs(id) ON DELETE CASCADE,
    ts INTEGER NOT NULL, stream TEXT NOT NULL, line TEXT NOT NULL);
  CREATE INDEX training_logs_run ON training_logs (run_id, id);
  `,
];
