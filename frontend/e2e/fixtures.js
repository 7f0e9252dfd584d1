// Canned fleets for the Playwright test double (desk-double.js): servers,
// jobs, runs with logs and archives, in Go's snake_case JSON.
import { readFileSync } from 'node:fs'

// What Go's DescribeSchedule answers at NOW with a 26 h RPO, written by Go
// itself (go test ./backend/jobs -run TestWindowDouble -update): the
// double words and lists no schedule Go did not.
export const SCHEDULES = JSON.parse(readFileSync(new URL('./schedules.json', import.meta.url), 'utf8')).answers

// The pages are frozen at this instant (see installDesk), so "2 minutes ago"
// is the same on every run.
export const NOW = '2026-11-22T08:00:00Z'

export const EMPTY_FLEET = {
  status: {
    version: '0.1.0-test',
    data_dir: '/var/lib/borgdesk-test',
    schema: 2,
    started_at: '2026-11-22T07:30:00Z',
    servers: 0,
    jobs: 0,
    runs_running: 0,
    gateway_url: 'https://desk.example.lan:8443',
    ca_fingerprint: 'SHA256:JoQxLRpclvTZObXbfCwaQjsjKqJrTpH4pR/ESq/Xblc',
    addresses: [
      { key: 'gateway.listen', in_use: '[::]:8443', from: 'default', setting: ':8443' },
      { key: 'ssh.listen', in_use: '[::]:2222', from: 'default', setting: ':2222' },
      { key: 'gateway.url', in_use: 'https://desk.example.lan:8443', from: 'default', setting: '' },
    ],
  },
  servers: [],
  jobs: [],
  runs: [],
  archives: {},
  events: [],
  settings: {},
}

const GB = 1e9

export const WEB1 = {
  id: 1,
  uuid: '6f1c3a52-0d7e-4a7e-9a51-1f0c5d1e0a01',
  name: 'web1',
  host: 'web1.example.lan',
  port: 22,
  user: 'borg',
  host_key_fingerprint: 'SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s',
  status: 'online',
  online: true,
  last_seen: '2026-11-22T07:58:00Z',
  version: '0.3.1',
  protocol_version: 1,
  hostname: 'web1.example.lan',
  cert_serial: '5e:2b:91:0c:44:7a:19:e3',
  cert_not_after: '2027-02-20T12:00:00Z',
  revoked_at: null,
  // No restore drill has checked its backups yet.
  last_verified_at: null,
  verify_stale: false,
  capabilities: {
    hostname: 'web1.example.lan',
    os: 'Debian GNU/Linux',
    os_version: '12.8',
    kernel: '6.1.0-27-amd64',
    arch: 'x86_64',
    borg_version: '1.2.8',
    tools: { mysqldump: true, pg_dump: false, mongodump: false, docker: true, lvm: true },
  },
  metrics: {
    collected_at: '2026-11-22T07:58:00Z',
    cpu_percent: 12.4,
    load1: 0.42,
    mem_total: 8.2 * GB,
    mem_used: 3.1 * GB,
    swap_total: 2.1 * GB,
    swap_used: 0.05 * GB,
    uptime_seconds: 1234567,
    disks: [
      { mount: '/', fstype: 'ext4', total: 50 * GB, used: 21.4 * GB },
      { mount: '/var/lib/docker', fstype: 'xfs', total: 200 * GB, used: 161 * GB },
      { mount: '/boot', fstype: 'ext4', total: 1 * GB, used: 0.24 * GB },
    ],
    net: [
      { name: 'eth0', rx_bytes: 1.21e12, tx_bytes: 3.8e11 },
      { name: 'wg0', rx_bytes: 2.2e9, tx_bytes: 1.9e9 },
    ],
  },
  created_at: '2026-11-01T10:00:00Z',
  updated_at: '2026-11-22T07:58:00Z',
}

const DB1 = {
  ...WEB1,
  id: 2,
  uuid: '6f1c3a52-0d7e-4a7e-9a51-1f0c5d1e0a02',
  name: 'db1',
  host: 'db1.example.lan',
  port: 2222,
  status: 'offline',
  online: false,
  last_seen: '2026-11-21T22:14:00Z',
  version: '0.3.0',
  hostname: 'db1.example.lan',
  cert_serial: '1a:07:c2:9e:50:33:8b:f1',
  cert_not_after: '2026-12-04T10:00:00Z',
  capabilities: {
    ...WEB1.capabilities,
    hostname: 'db1.example.lan',
    os: 'Ubuntu',
    os_version: '24.04 LTS',
    kernel: '6.8.0-45-generic',
    tools: { mysqldump: true, pg_dump: true, mongodump: false, docker: false, lvm: true },
  },
  metrics: {
    ...WEB1.metrics,
    collected_at: '2026-11-21T22:14:00Z',
    cpu_percent: 63,
    load1: 3.87,
    mem_total: 34.4 * GB,
    mem_used: 29.9 * GB,
    disks: [{ mount: '/', fstype: 'ext4', total: 500 * GB, used: 462 * GB }],
    net: [{ name: 'ens18', rx_bytes: 8.4e11, tx_bytes: 2.61e12 }],
  },
  created_at: '2026-11-02T10:00:00Z',
}

const BUILD3 = {
  id: 3,
  uuid: '6f1c3a52-0d7e-4a7e-9a51-1f0c5d1e0a03',
  name: 'build3',
  host: '',
  port: 22,
  user: 'borg',
  host_key_fingerprint: '',
  status: 'pending',
  online: false,
  last_seen: null,
  version: '',
  protocol_version: 0,
  hostname: '',
  cert_serial: '',
  cert_not_after: null,
  revoked_at: null,
  last_verified_at: null,
  verify_stale: false,
  capabilities: null,
  metrics: null,
  created_at: '2026-11-22T07:40:00Z',
  updated_at: '2026-11-22T07:40:00Z',
}

const MAIL_OLD = {
  ...DB1,
  id: 4,
  uuid: '6f1c3a52-0d7e-4a7e-9a51-1f0c5d1e0a04',
  name: 'mail-old',
  host: 'mail.example.lan',
  port: 22,
  status: 'revoked',
  online: false,
  last_seen: '2026-10-02T16:20:00Z',
  version: '0.2.4',
  hostname: 'mail.example.lan',
  cert_serial: '77:10:0b:3d:c4:e8:52:aa',
  cert_not_after: '2026-11-01T00:00:00Z',
  revoked_at: '2026-10-03T09:12:00Z',
  metrics: {
    ...DB1.metrics,
    collected_at: '2026-10-02T16:20:00Z',
    cpu_percent: 4.2,
    load1: 0.08,
    mem_total: 4.1 * GB,
    mem_used: 1.2 * GB,
    disks: [{ mount: '/', fstype: 'ext4', total: 80 * GB, used: 33 * GB }],
  },
  created_at: '2025-06-12T10:00:00Z',
}

export const FLEET_SERVERS = [WEB1, DB1, BUILD3, MAIL_OLD]

// Jobs as ListJobs sends them: spec and keep are JSON text.
const job = (fields) => ({
  enabled: true,
  last_scheduled_at: null,
  drill_schedule: '',
  last_drill_at: null,
  notify_success: false,
  updated_at: fields.created_at,
  ...fields,
  spec: JSON.stringify(fields.spec),
  keep: JSON.stringify(fields.keep),
})

export const FLEET_JOBS = [
  job({
    id: 1,
    server_id: 1,
    server_name: 'web1',
    server_uuid: WEB1.uuid,
    name: 'etc-and-www',
    kind: 'files',
    spec: { kind: 'files', paths: ['/etc', '/var/www'], excludes: ['*.log', '/var/www/cache'], one_file_system: true, compression: 'zstd,3' },
    schedule: '0 3 * * *',
    keep: { daily: 7, weekly: 4, monthly: 6 },
    last_scheduled_at: '2026-11-22T03:00:00Z',
    created_at: '2026-11-03T10:00:00Z',
  }),
  job({
    id: 2,
    server_id: 2,
    server_name: 'db1',
    server_uuid: DB1.uuid,
    name: 'shop-db',
    kind: 'mysql',
    spec: {
      kind: 'mysql',
      compression: 'zstd,10',
      mysql: { databases: ['shop', 'shop_sessions'], defaults_file: '/root/.my.cnf' },
      pre: [['/usr/local/bin/maintenance', 'on']],
      post: [['/usr/local/bin/maintenance', 'off']],
    },
    schedule: 'CRON_TZ=Europe/Paris 30 2 * * *',
    keep: { daily: 14, monthly: 12 },
    last_scheduled_at: '2026-11-22T01:30:00Z',
    created_at: '2026-11-04T10:00:00Z',
  }),
  job({
    id: 3,
    server_id: 2,
    server_name: 'db1',
    server_uuid: DB1.uuid,
    name: 'pg-main',
    kind: 'postgres',
    spec: { kind: 'postgres', compression: 'lz4', postgres: { os_user: 'postgres' } },
    schedule: '0 2 * * 1',
    keep: { weekly: 8, monthly: 6, yearly: 2 },
    created_at: '2026-11-05T10:00:00Z',
  }),
  job({
    id: 4,
    server_id: 1,
    server_name: 'web1',
    server_uuid: WEB1.uuid,
    name: 'app-volumes',
    kind: 'docker',
    spec: { kind: 'docker', compression: 'lz4', docker: { containers: ['nextcloud', 'redis'], stop_during: true } },
    schedule: '0 */6 * * *',
    keep: { within: '2d', daily: 7 },
    created_at: '2026-11-06T10:00:00Z',
  }),
  job({
    id: 5,
    server_id: 1,
    server_name: 'web1',
    server_uuid: WEB1.uuid,
    name: 'data-snapshot',
    kind: 'lvm',
    spec: { kind: 'lvm', compression: 'lz4', lvm: { volume_group: 'vg0', volume: 'data', snapshot_size: '2G' } },
    schedule: '',
    keep: {},
    created_at: '2026-11-07T10:00:00Z',
  }),
]

const ETC_LOG = `borgdesk-agent 0.3.1: backup etc-and-www into ssh://borgdesk@desk.example.lan:2222/var/lib/borgdesk/repos/${WEB1.uuid}
Creating archive etc-and-www@2026-11-21T03.00.00Z (compression zstd,3, one file system)
Excluding *.log, /var/www/cache
------------------------------------------------------------------------------
Repository: ssh://borgdesk@desk.example.lan:2222/var/lib/borgdesk/repos/${WEB1.uuid}
Archive name: etc-and-www@2026-11-21T03.00.00Z
Time (start): Sat, 2026-11-21 03:00:00
Time (end):   Sat, 2026-11-21 03:04:10
Duration: 4 minutes 10.02 seconds
Number of files: 48213
------------------------------------------------------------------------------
                       Original size      Compressed size    Deduplicated size
This archive:                1.53 GB            612.40 MB             23.40 MB
All archives:               21.38 GB              8.57 GB              1.02 GB
------------------------------------------------------------------------------
Archive verified: listed in the repository.
Retention: kept 12 archives, pruned 1 (etc-and-www@2026-10-20T03.00.00Z).`

const PG_LOG = `borgdesk-agent 0.3.0: backup pg-main into ssh://borgdesk@desk.example.lan:2222/var/lib/borgdesk/repos/${DB1.uuid}
Running as os user postgres: /usr/bin/pg_dumpall --clean
pg_dumpall: error: connection to server on socket "/var/run/postgresql/.s.PGSQL.5432" failed: No such file or directory
	Is the server running locally and accepting connections on that socket?
pg_dumpall exited with status 1
borg create was not started: the dump failed
warning: archive pg-main@2026-11-16T02.00.00Z was not created`

const APP_LOG = `borgdesk-agent 0.3.1: backup app-volumes into ssh://borgdesk@desk.example.lan:2222/var/lib/borgdesk/repos/${WEB1.uuid}
Stopping containers nextcloud, redis
Creating archive app-volumes@2026-11-22T06.00.00Z (compression lz4)
/var/lib/docker/volumes/nextcloud_data/_data/nextcloud.log: file changed while we backed it up
Starting containers nextcloud, redis
Archive verified: listed in the repository.`

const run = (fields) => ({
  server_id: 1,
  server_name: 'web1',
  trigger: 'schedule',
  attempt: 1,
  task_id: 100 + fields.id,
  finished_at: null,
  archive: '',
  bytes: 0,
  files: 0,
  deduplicated: 0,
  error: '',
  log: '',
  pruned_at: null,
  ...fields,
})

// Newest first, as ListRuns sends them.
export const FLEET_RUNS = [
  run({
    id: 9,
    job_id: 1,
    job_name: 'etc-and-www',
    status: 'running',
    trigger: 'manual',
    started_at: '2026-11-22T07:59:00Z',
    archive: 'etc-and-www@2026-11-22T07.59.00Z',
  }),
  run({
    id: 8,
    job_id: 4,
    job_name: 'app-volumes',
    status: 'warning',
    started_at: '2026-11-22T06:00:00Z',
    finished_at: '2026-11-22T06:02:41Z',
    archive: 'app-volumes@2026-11-22T06.00.00Z',
    bytes: 8.41e9,
    files: 126503,
    deduplicated: 412e6,
    error: 'file changed while we backed it up: /var/lib/docker/volumes/nextcloud_data/_data/nextcloud.log',
    log: APP_LOG,
  }),
  run({
    id: 7,
    job_id: 2,
    job_name: 'shop-db',
    server_id: 2,
    server_name: 'db1',
    status: 'succeeded',
    started_at: '2026-11-22T01:30:00Z',
    finished_at: '2026-11-22T01:31:12Z',
    archive: 'shop-db@2026-11-22T01.30.00Z',
    bytes: 2.87e9,
    files: 2,
    deduplicated: 96.2e6,
  }),
  run({
    id: 6,
    job_id: 1,
    job_name: 'etc-and-www',
    status: 'succeeded',
    trigger: 'catch-up',
    started_at: '2026-11-21T08:12:00Z',
    finished_at: '2026-11-21T08:15:31Z',
    archive: 'etc-and-www@2026-11-21T08.12.00Z',
    bytes: 1.529e9,
    files: 48190,
    deduplicated: 8.1e6,
  }),
  run({
    id: 5,
    job_id: 1,
    job_name: 'etc-and-www',
    status: 'succeeded',
    started_at: '2026-11-21T03:00:00Z',
    finished_at: '2026-11-21T03:04:10Z',
    archive: 'etc-and-www@2026-11-21T03.00.00Z',
    bytes: 1.532e9,
    files: 48213,
    deduplicated: 23.4e6,
    log: ETC_LOG,
  }),
  run({
    id: 4,
    job_id: 1,
    job_name: 'etc-and-www',
    status: 'failed',
    trigger: 'schedule',
    started_at: '2026-11-20T03:00:00Z',
    finished_at: '2026-11-20T03:00:31Z',
    error: 'connection closed by remote host: ssh://borgdesk@desk.example.lan:2222',
    log: 'Connecting to the repository…\nRemote: connection closed by remote host\nerror: connection closed by remote host: ssh://borgdesk@desk.example.lan:2222',
  }),
  run({
    id: 3,
    job_id: 1,
    job_name: 'etc-and-www',
    status: 'succeeded',
    trigger: 'retry',
    attempt: 2,
    started_at: '2026-11-20T03:05:00Z',
    finished_at: '2026-11-20T03:12:44Z',
    archive: 'etc-and-www@2026-11-20T03.05.00Z',
    bytes: 1.527e9,
    files: 48177,
    deduplicated: 1.41e9,
  }),
  run({
    id: 2,
    job_id: 3,
    job_name: 'pg-main',
    server_id: 2,
    server_name: 'db1',
    status: 'failed',
    started_at: '2026-11-16T02:00:00Z',
    finished_at: '2026-11-16T02:00:03Z',
    error: 'pg_dumpall: error: connection to server on socket "/var/run/postgresql/.s.PGSQL.5432" failed: No such file or directory',
    log: PG_LOG,
  }),
]

FLEET_RUNS.sort((a, b) => b.started_at.localeCompare(a.started_at))

// Archives as ListArchives sends them, oldest first; time is borg's local
// time without a zone.
const archive = (name, id, time) => ({ name, id, time, job: name.split('@')[0] })

export const FLEET_ARCHIVES = {
  [WEB1.uuid]: [
    archive('etc-and-www@2026-11-20T03.05.00Z', '5f0c2b9d81e4a3c7d2b6e1f0a9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0', '2026-11-20T03:05:02.000000'),
    archive('etc-and-www@2026-11-21T03.00.00Z', '8a1d4e7b2c5f8a1d4e7b2c5f8a1d4e7b2c5f8a1d4e7b2c5f8a1d4e7b2c5f8a1d', '2026-11-21T03:00:03.000000'),
    archive('etc-and-www@2026-11-21T08.12.00Z', 'c3e6f9a2b5d8c3e6f9a2b5d8c3e6f9a2b5d8c3e6f9a2b5d8c3e6f9a2b5d8c3e6', '2026-11-21T08:12:02.000000'),
    archive('app-volumes@2026-11-22T06.00.00Z', 'e7b0d3f6a9c2e7b0d3f6a9c2e7b0d3f6a9c2e7b0d3f6a9c2e7b0d3f6a9c2e7b0', '2026-11-22T06:00:21.000000'),
  ],
  [DB1.uuid]: [
    archive('shop-db@2026-11-20T01.30.00Z', '1b4e7a0d3c6f9b2e5a8d1c4f7b0e3a6d9c2f5b8e1a4d7c0f3b6e9a2d5c8f1b4e', '2026-11-20T01:30:01.000000'),
    archive('shop-db@2026-11-21T01.30.00Z', '2c5f8b1e4a7d0c3f6b9e2a5d8c1f4b7e0a3d6c9f2b5e8a1d4c7f0b3e6a9d2c5f', '2026-11-21T01:30:02.000000'),
    archive('shop-db@2026-11-22T01.30.00Z', '3d6a9c2f5b8e1d4a7c0f3b6e9d2a5c8f1b4e7d0a3c6f9b2e5d8a1c4f7b0e3d6a', '2026-11-22T01:30:04.000000'),
  ],
}

export const POPULATED_FLEET = {
  ...EMPTY_FLEET,
  // An established fleet: its operator has been through the getting-started guide.
  settings: { 'ui.guide_done': 'true' },
  status: { ...EMPTY_FLEET.status, servers: 4, jobs: FLEET_JOBS.length, runs_running: 1 },
  servers: FLEET_SERVERS,
  jobs: FLEET_JOBS,
  runs: FLEET_RUNS,
  archives: FLEET_ARCHIVES,
  events: [
    {
      id: 1,
      at: '2026-11-22T07:59:00Z',
      kind: 'run:progress',
      subject: WEB1.uuid,
      message: 'run 9 of web1/etc-and-www started: archive etc-and-www@2026-11-22T07.59.00Z',
      data: { run_id: 9, status: 'running' },
    },
  ],
}

// progress builds the live run:progress record Go announces while a backup
// runs: id 0, never in the event log.

// SSH rollout (the Add server wizard's password and key methods). The double
// answers ProbeHosts with the key listed here for a host (an ed25519 key
// made from the host's name otherwise) and walks each host StartRollout got
// through Go's eight steps, one every stepMs, emitting rollout:progress; a
// host with `fail` stops at that step with that sentence. A host that
// enrolls becomes a server (uuid from here) and server:changed is emitted.
// pauseAt holds every host at that step until resumeRollout() is called.
export const ROLLOUT_PASSWORD = 'Tr0ub4dor&3-never-log-me'
export const UNINSTALL_PASSWORD = 'correct-horse-battery-staple-9'

export const ROLLOUT_STEPS = [
  'connecting',
  'host key',
  'checking the system',
  'installing borg',
  'uploading the agent',
  'enrolling',
  'starting the agent',
  'first heartbeat',
  'done',
]

export const ROLLOUT = {
  stepMs: 60,
  pauseAt: '',
  hosts: {
    'web2.example.lan': {
      key: { type: 'ssh-ed25519', fingerprint: 'SHA256:FG0xRu3JyPFkD9rA5JGbAT2vj0CdGQDsyJ9l1RtFqfM' },
      uuid: '6f1c3a52-0d7e-4a7e-9a51-1f0c5d1e0a05',
    },
    'app1.example.lan': {
      key: { type: 'ssh-ed25519', fingerprint: 'SHA256:Fy3UoDZgAGBOLE3kFFeqHrMJO7WerSLg8dRyoqqt4JQ' },
      uuid: '6f1c3a52-0d7e-4a7e-9a51-1f0c5d1e0a06',
    },
    'app2.example.lan': {
      key: { type: 'ecdsa-sha2-nistp256', fingerprint: 'SHA256:1YVjUbvBRZnmh9rBBRUOipGbIUd/PAA4ZAUijKrB5Do' },
      fail: {
        step: 'installing borg',
        message: 'apt-get install borgbackup failed: E: Unable to locate package borgbackup (is the universe repository enabled?)',
      },
    },
    'app3.example.lan': {
      key: { type: 'ssh-ed25519', fingerprint: 'SHA256:aX1K63xYcSPDRc7AyP5ZVVRu80mDCwi3H6MvkQyDyGg' },
      uuid: '6f1c3a52-0d7e-4a7e-9a51-1f0c5d1e0a07',
    },
    'db2.example.lan': {
      key: {
        type: 'ssh-ed25519',
        fingerprint: 'SHA256:6a9/N6tTunGe16iURqAnl7VDNIvLqWVLNlqLiEiYH80',
        changed: true,
        pinned: 'SHA256:dRKJX/wDDyLSMyUJ2EtTYbaeo2dB3STiKe/Nnr4q2ek',
      },
    },
    'gone.example.lan': {
      key: { type: '', fingerprint: '', error: 'dial tcp 10.0.4.9:22: connect: no route to host' },
    },
    // web1 enrolled long ago: its key is pinned, for the uninstall dialog.
    'web1.example.lan': {
      key: { type: 'ssh-ed25519', fingerprint: WEB1.host_key_fingerprint, known: true },
    },
  },
}

export const ROLLOUT_FLEET = { ...POPULATED_FLEET, rollout: ROLLOUT }

// --- .flx/.flxx snapshots -------------------------------------------------
// OpenFlx answers for the files below (by path); a path not listed cannot be
// read. Ids are the SHA-256 of each file, as Go's.
export const FLX_INBOX = '/home/ops/.local/share/borgdesk/inbox'

const flxEntry = (path, size, mode = '0644', owner = 'root') => ({
  path,
  hash: `sha256:${[...path].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7).toString(16).padStart(8, '0').repeat(8)}`,
  size,
  mode,
  owner,
  mtime: '2026-11-20T03:15:00Z',
})

const PBX_FILES = [
  flxEntry('etc/asterisk/extensions.conf', 18240),
  flxEntry('etc/asterisk/pjsip.conf', 9311, '0640', 'asterisk'),
  flxEntry('etc/asterisk/voicemail.conf', 2870, '0640', 'asterisk'),
  flxEntry('etc/asterisk/manager.conf', 611, '0640', 'asterisk'),
  flxEntry('etc/asterisk/keys/pbx1.pub', 451),
  flxEntry('etc/flexpbx/flexpbx.conf', 1204, '0600'),
  flxEntry('etc/flexpbx/trunks.json', 3382, '0600'),
  flxEntry('etc/hosts', 244),
  flxEntry('etc/ssh/sshd_config', 3290, '0600'),
  flxEntry('var/lib/flexpbx/users.sqlite', 98304, '0640', 'flexpbx'),
]

const sum = (files) => files.reduce((n, f) => n + f.size, 0)

export const FLX_PBX = {
  id: 'a3f1c2d4e5b60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90',
  name: 'pbx1-etc-2026-11-20_03-15-02.flx',
  source: '/home/ops/Downloads/pbx1-etc-2026-11-20_03-15-02.flx',
  size: 187_905,
  inspection: {
    meta: {
      version: '1.0',
      backup_type: 'system_config',
      created: '2026-11-20 03:15:02',
      flexpbx_version: '1.2.0',
      producer: 'borgdesk-agent 0.3.1',
      sensitive_data_included: false,
      includes: { config_files: true, default_settings: true },
      file_count: PBX_FILES.length,
      redaction_report: [
        { file: 'etc/asterisk/pjsip.conf', rule: 'secret setting', count: 14 },
        { file: 'etc/asterisk/manager.conf', rule: 'secret setting', count: 2 },
        { file: 'etc/flexpbx/flexpbx.conf', rule: 'password setting', count: 1 },
        { file: 'etc/flexpbx/trunks.json', rule: 'api key', count: 3 },
      ],
      default_settings: { timezone: 'Europe/Paris', language: 'fr' },
    },
    files: PBX_FILES,
    bytes: sum(PBX_FILES),
    verified: true,
  },
}

export const FLX_DAMAGED = {
  id: '0be7a9c1d2e3f40516273849a0b1c2d3e4f5061728394a5b6c7d8e9f0a1b2c3d',
  name: 'pbx1-flexpbx-2026-11-18_02-00-00.flxx',
  source: '/home/ops/Downloads/pbx1-flexpbx-2026-11-18_02-00-00.flxx',
  size: 52_113,
  inspection: {
    meta: {
      version: '1.0',
      backup_type: 'extended',
      created: '2026-11-18 02:00:00',
      flexpbx_version: '1.2.0',
      producer: 'FlexPBX 1.2.0',
      sensitive_data_included: false,
      includes: { config_files: true, user_template: true, admin_template: true, schemas: true },
      file_count: 6,
      redaction_report: [],
    },
    files: PBX_FILES.slice(0, 2),
    bytes: sum(PBX_FILES.slice(0, 2)),
    verified: false,
    error: 'etc/asterisk/voicemail.conf: the content does not match its hash (sha256:4c1f… expected, sha256:9e0a… read): the snapshot is damaged',
  },
}

const INBOX_FILES = [flxEntry('etc/flexpbx/flexpbx.conf', 1311, '0600'), flxEntry('etc/flexpbx/ivr.json', 5120)]

export const FLX_INBOX_FILE = {
  id: '5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c',
  name: 'pbx2-flexpbx-2026-11-21_22-10-00.flxx',
  source: `${FLX_INBOX}/pbx2-flexpbx-2026-11-21_22-10-00.flxx`,
  size: 9_870,
  inspection: {
    meta: {
      version: '1.0',
      backup_type: 'extended',
      created: '2026-11-21T22:10:00Z',
      flexpbx_version: '1.3.0',
      producer: 'FlexPBX 1.3.0',
      sensitive_data_included: true,
      includes: { config_files: true, user_template: true },
      file_count: INBOX_FILES.length,
    },
    files: INBOX_FILES,
    bytes: sum(INBOX_FILES),
    verified: true,
  },
}

export const FLX = {
  inbox: FLX_INBOX,
  downloads: '/home/ops/Downloads',
  stepMs: 40,
  // A task status at which restore and create tasks wait for releaseFlxTasks(page).
  holdAt: '',
  files: Object.fromEntries([FLX_PBX, FLX_DAMAGED, FLX_INBOX_FILE].map((f) => [f.source, f])),
  diff: [
    { path: 'etc/asterisk/extensions.conf', status: 'changed' },
    { path: 'etc/asterisk/pjsip.conf', status: 'changed' },
    { path: 'etc/asterisk/keys/pbx1.pub', status: 'only in snapshot' },
    { path: 'etc/flexpbx/trunks.json', status: 'only in snapshot' },
    { path: 'etc/asterisk/old-trunk.conf', status: 'only in target' },
  ],
  // What a merge restore does; fresh also removes what only the target has.
  changes: [
    { path: 'etc/asterisk/extensions.conf', action: 'overwrite', size: 18240 },
    { path: 'etc/asterisk/keys/pbx1.pub', action: 'create', size: 451 },
    { path: 'etc/asterisk/manager.conf', action: 'unchanged', size: 611 },
    { path: 'etc/asterisk/pjsip.conf', action: 'overwrite', size: 9311 },
    { path: 'etc/asterisk/voicemail.conf', action: 'unchanged', size: 2870 },
    { path: 'etc/flexpbx/flexpbx.conf', action: 'unchanged', size: 1204 },
    { path: 'etc/flexpbx/trunks.json', action: 'create', size: 3382 },
    { path: 'etc/hosts', action: 'unchanged', size: 244 },
    { path: 'etc/ssh/sshd_config', action: 'unchanged', size: 3290 },
    { path: 'var/lib/flexpbx/users.sqlite', action: 'keep (user data)', size: 98304 },
  ],
  rollback: '/var/backups/borgdesk-flx/rollback-2026-11-22_08-00-05.flx.gz',
  // server uuid → paths ListFlx answers, newest first.
  received: {
    [WEB1.uuid]: [`/var/lib/borgdesk-test/flx/servers/${WEB1.uuid}/etc-2026-11-19_03-00-00.flx`],
  },
}
