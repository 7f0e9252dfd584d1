package store

// migrations[i] takes the schema from version i to i+1. Never edit a
// released migration: append a new one.
var migrations = []string{
	// 1: the fleet, its jobs, their runs, the event log, settings.
	`
CREATE TABLE servers (
	id          INTEGER PRIMARY KEY,
	uuid        TEXT NOT NULL UNIQUE,
	name        TEXT NOT NULL UNIQUE,
	host        TEXT NOT NULL DEFAULT '',
	port        INTEGER NOT NULL DEFAULT 22,
	ssh_user    TEXT NOT NULL DEFAULT '',
	host_key_fp TEXT NOT NULL DEFAULT '',
	status      TEXT NOT NULL DEFAULT 'pending',
	created_at  TEXT NOT NULL,
	updated_at  TEXT NOT NULL
);
CREATE TABLE agents (
	id               INTEGER PRIMARY KEY,
	server_id        INTEGER NOT NULL UNIQUE REFERENCES servers(id) ON DELETE CASCADE,
	cert_serial      TEXT NOT NULL DEFAULT '',
	cert_not_after   TEXT,
	ssh_public_key   TEXT NOT NULL DEFAULT '',
	agent_version    TEXT NOT NULL DEFAULT '',
	protocol_version INTEGER NOT NULL DEFAULT 0,
	last_seen_at     TEXT,
	revoked_at       TEXT,
	created_at       TEXT NOT NULL
);
CREATE TABLE jobs (
	id         INTEGER PRIMARY KEY,
	server_id  INTEGER NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
	name       TEXT NOT NULL,
	kind       TEXT NOT NULL,
	spec_json  TEXT NOT NULL DEFAULT '{}',
	schedule   TEXT NOT NULL DEFAULT '',
	enabled    INTEGER NOT NULL DEFAULT 1,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	UNIQUE (server_id, name)
);
CREATE TABLE runs (
	id          INTEGER PRIMARY KEY,
	job_id      INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
	status      TEXT NOT NULL,
	started_at  TEXT NOT NULL,
	finished_at TEXT,
	bytes       INTEGER NOT NULL DEFAULT 0,
	files       INTEGER NOT NULL DEFAULT 0,
	error       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX runs_job_started ON runs(job_id, started_at);
CREATE INDEX runs_started ON runs(started_at);
CREATE TABLE events (
	id        INTEGER PRIMARY KEY,
	at        TEXT NOT NULL,
	kind      TEXT NOT NULL,
	subject   TEXT NOT NULL DEFAULT '',
	message   TEXT NOT NULL DEFAULT '',
	data_json TEXT NOT NULL DEFAULT 'null'
);
CREATE TABLE settings (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
`,
	// 2: enrollment tokens, the agents' reported state, and agent tasks.
	`
CREATE TABLE enrollment_tokens (
	id         INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	token_hash TEXT NOT NULL UNIQUE,
	created_at TEXT NOT NULL,
	expires_at TEXT NOT NULL,
	used_at    TEXT,
	server_id  INTEGER REFERENCES servers(id) ON DELETE SET NULL
);
ALTER TABLE agents ADD COLUMN hostname TEXT NOT NULL DEFAULT '';
ALTER TABLE agents ADD COLUMN capabilities_json TEXT NOT NULL DEFAULT 'null';
ALTER TABLE agents ADD COLUMN metrics_json TEXT NOT NULL DEFAULT 'null';
CREATE TABLE tasks (
	id            INTEGER PRIMARY KEY,
	server_id     INTEGER NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
	type          TEXT NOT NULL,
	payload_json  TEXT NOT NULL DEFAULT '{}',
	status        TEXT NOT NULL,
	created_at    TEXT NOT NULL,
	dispatched_at TEXT,
	started_at    TEXT,
	finished_at   TEXT,
	progress_json TEXT NOT NULL DEFAULT 'null',
	result_json   TEXT NOT NULL DEFAULT 'null',
	error         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX tasks_server_status ON tasks(server_id, status, id);
`,
	// 3: retention and catch-up for jobs; queued runs with their task,
	// archive, sizes and log.
	`
ALTER TABLE jobs ADD COLUMN keep_json TEXT NOT NULL DEFAULT '{}';
ALTER TABLE jobs ADD COLUMN last_scheduled_at TEXT;
ALTER TABLE runs ADD COLUMN task_id INTEGER;
ALTER TABLE runs ADD COLUMN archive TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN trigger TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN attempt INTEGER NOT NULL DEFAULT 1;
ALTER TABLE runs ADD COLUMN deduplicated INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN log TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN pruned_at TEXT;
CREATE INDEX runs_status ON runs(status);
`,
	// 4: restore drills, and a drill schedule per job.
	`
CREATE TABLE drills (
	id          INTEGER PRIMARY KEY,
	job_id      INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
	server_id   INTEGER NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
	archive     TEXT NOT NULL,
	mode        TEXT NOT NULL,
	status      TEXT NOT NULL,
	started_at  TEXT NOT NULL,
	finished_at TEXT,
	files       INTEGER NOT NULL DEFAULT 0,
	bytes       INTEGER NOT NULL DEFAULT 0,
	checked     INTEGER NOT NULL DEFAULT 0,
	mismatches  INTEGER NOT NULL DEFAULT 0,
	error       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX drills_server ON drills(server_id, status, finished_at);
ALTER TABLE jobs ADD COLUMN drill_schedule TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN last_drill_at TEXT;
`,
	// 5: repository sizes after each backup, and servers' metrics over time.
	`
CREATE TABLE repo_sizes (
	server_id INTEGER NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
	at        TEXT NOT NULL,
	bytes     INTEGER NOT NULL
);
CREATE INDEX repo_sizes_server ON repo_sizes(server_id, at);
CREATE TABLE metrics (
	server_id INTEGER NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
	at        TEXT NOT NULL,
	cpu       REAL NOT NULL,
	load1     REAL NOT NULL,
	mem       REAL NOT NULL,
	disk      REAL NOT NULL,
	rx        REAL NOT NULL,
	tx        REAL NOT NULL
);
CREATE INDEX metrics_server ON metrics(server_id, at);
`,
	// 6: each job's newest successful run without scanning its history.
	`
CREATE INDEX runs_job_status_finished ON runs(job_id, status, finished_at);
`,
	// 7: storage targets (storage nodes, hosted Borg services), where each
	// server's repository lives, and runs agents made on their own while
	// the coordinator was closed (delivered once: offline_id).
	`
CREATE TABLE targets (
	id         INTEGER PRIMARY KEY,
	name       TEXT NOT NULL UNIQUE,
	kind       TEXT NOT NULL,
	server_id  INTEGER REFERENCES servers(id) ON DELETE CASCADE,
	host       TEXT NOT NULL DEFAULT '',
	port       INTEGER NOT NULL DEFAULT 22,
	ssh_user   TEXT NOT NULL DEFAULT '',
	path       TEXT NOT NULL DEFAULT '',
	listen     TEXT NOT NULL DEFAULT '',
	host_key   TEXT NOT NULL DEFAULT '',
	status     TEXT NOT NULL DEFAULT 'pending',
	last_error TEXT NOT NULL DEFAULT '',
	free_bytes INTEGER NOT NULL DEFAULT 0,
	created_at TEXT NOT NULL
);
CREATE TABLE repo_targets (
	server_id INTEGER PRIMARY KEY REFERENCES servers(id) ON DELETE CASCADE,
	target_id INTEGER NOT NULL REFERENCES targets(id)
);
ALTER TABLE runs ADD COLUMN offline_id TEXT;
CREATE UNIQUE INDEX runs_offline_id ON runs(offline_id) WHERE offline_id IS NOT NULL;
`,
	// 8: replication of each repository to a second target, and the state
	// of its last run. Secrets live in files under DATA/keys/replicas.
	`
CREATE TABLE replicas (
	server_id         INTEGER PRIMARY KEY REFERENCES servers(id) ON DELETE CASCADE,
	kind              TEXT NOT NULL,
	target_json       TEXT NOT NULL,
	after_backup      INTEGER NOT NULL DEFAULT 1,
	schedule          TEXT NOT NULL DEFAULT '',
	last_scheduled_at TEXT,
	status            TEXT NOT NULL DEFAULT 'never',
	error             TEXT NOT NULL DEFAULT '',
	reason            TEXT NOT NULL DEFAULT '',
	archives_json     TEXT NOT NULL DEFAULT '[]',
	last_attempt_at   TEXT,
	last_success_at   TEXT,
	bytes             INTEGER NOT NULL DEFAULT 0,
	files             INTEGER NOT NULL DEFAULT 0,
	transferred       INTEGER NOT NULL DEFAULT 0,
	duration_ms       INTEGER NOT NULL DEFAULT 0,
	verified          TEXT NOT NULL DEFAULT '',
	created_at        TEXT NOT NULL,
	updated_at        TEXT NOT NULL
);
`,
	// 9: the run of an agent's task (every progress report and finished
	// backup looks it up) without scanning every run.
	`
CREATE INDEX runs_task ON runs(task_id) WHERE task_id IS NOT NULL;
`,
	// 10: what the operator says of one archive: keep it forever (prune
	// never removes it) and a comment. Borg 1.2 can change an archive's
	// comment only by rewriting the archive (borg recreate), so the
	// comment lives here.
	`
CREATE TABLE archive_marks (
	server_id    INTEGER NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
	archive      TEXT NOT NULL,
	keep_forever INTEGER NOT NULL DEFAULT 0,
	comment      TEXT NOT NULL DEFAULT '',
	updated_at   TEXT NOT NULL,
	PRIMARY KEY (server_id, archive)
);
`,
	// 11: a job may ask for a notification when it succeeds too.
	`
ALTER TABLE jobs ADD COLUMN notify_success INTEGER NOT NULL DEFAULT 0;
`,
	// 12: the event log as a history to search: each event's severity, the
	// server and job it is about, an index per filter (each ends in id, so a
	// filtered page is read newest first without sorting), and a trigram
	// full-text index of messages and subjects (any substring of 3
	// characters or more), kept by triggers. Rows written before have
	// severity '' until the events room classifies them.
	`
ALTER TABLE events ADD COLUMN severity TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN server_id INTEGER;
ALTER TABLE events ADD COLUMN job_id INTEGER;
UPDATE events SET job_id = coalesce(
	CASE WHEN json_valid(data_json) THEN json_extract(data_json, '$.job_id') END,
	(SELECT r.job_id FROM runs r WHERE r.id = CASE WHEN json_valid(data_json) THEN json_extract(data_json, '$.run_id') END),
	CASE WHEN kind = 'drill:changed' AND json_valid(data_json) THEN (SELECT d.job_id FROM drills d WHERE d.id = json_extract(data_json, '$.id')) END);
UPDATE events SET server_id = coalesce(
	CASE WHEN json_valid(data_json) THEN json_extract(data_json, '$.server_id') END,
	(SELECT sv.id FROM servers sv WHERE sv.uuid = subject),
	(SELECT j.server_id FROM jobs j WHERE j.id = job_id));
CREATE INDEX events_kind ON events(kind, id);
CREATE INDEX events_severity ON events(severity, id);
CREATE INDEX events_server ON events(server_id, id) WHERE server_id IS NOT NULL;
CREATE INDEX events_job ON events(job_id, id) WHERE job_id IS NOT NULL;
CREATE INDEX events_at ON events(at);
CREATE VIRTUAL TABLE events_fts USING fts5(message, subject, content='events', content_rowid='id', tokenize='trigram');
INSERT INTO events_fts(events_fts) VALUES ('rebuild');
CREATE TRIGGER events_fts_insert AFTER INSERT ON events BEGIN
	INSERT INTO events_fts(rowid, message, subject) VALUES (new.id, new.message, new.subject);
END;
CREATE TRIGGER events_fts_delete AFTER DELETE ON events BEGIN
	INSERT INTO events_fts(events_fts, rowid, message, subject) VALUES ('delete', old.id, old.message, old.subject);
END;
CREATE TRIGGER events_fts_update AFTER UPDATE OF message, subject ON events BEGIN
	INSERT INTO events_fts(events_fts, rowid, message, subject) VALUES ('delete', old.id, old.message, old.subject);
	INSERT INTO events_fts(rowid, message, subject) VALUES (new.id, new.message, new.subject);
END;
`,
	// 13: operators who reach the admin API over mutual TLS (each with a
	// role and its one live certificate), their one-time invites (only the
	// hash of the token is kept), and the audit log of what they did.
	`
CREATE TABLE operators (
	id             INTEGER PRIMARY KEY,
	name           TEXT NOT NULL UNIQUE,
	role           TEXT NOT NULL,
	cert_serial    TEXT NOT NULL DEFAULT '',
	cert_not_after TEXT,
	created_at     TEXT NOT NULL,
	revoked_at     TEXT
);
CREATE TABLE operator_invites (
	id         INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	role       TEXT NOT NULL,
	token_hash TEXT NOT NULL UNIQUE,
	created_at TEXT NOT NULL,
	expires_at TEXT NOT NULL,
	used_at    TEXT
);
CREATE TABLE audit (
	id       INTEGER PRIMARY KEY,
	at       TEXT NOT NULL,
	operator TEXT NOT NULL,
	role     TEXT NOT NULL,
	action   TEXT NOT NULL,
	target   TEXT NOT NULL DEFAULT '',
	result   TEXT NOT NULL,
	detail   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_operator ON audit(operator, id);
`,
}
