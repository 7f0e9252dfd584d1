// Canned data for the Storage page (storage nodes, hosted Borg services,
// where repositories live, runs made while the coordinator was closed)
// served by desk-storage.js, in Go's snake_case JSON. The instant is NOW
// (fixtures.js); the coordinator started at 07:30.
import { FLEET_RUNS, FLEET_SERVERS, POPULATED_FLEET } from './fixtures.js'

const [WEB1] = FLEET_SERVERS

// An online server to become a storage node, and one without archives
// whose repository can still go anywhere.
export const NAS1 = {
  ...WEB1,
  id: 6,
  uuid: '6f1c3a52-0d7e-4a7e-9a51-1f0c5d1e0a06',
  name: 'nas1',
  host: 'nas1.example.lan',
  hostname: 'nas1.example.lan',
  last_verified_at: '',
  verify_stale: false,
}
export const WEB3 = { ...NAS1, id: 7, uuid: '6f1c3a52-0d7e-4a7e-9a51-1f0c5d1e0a07', name: 'web3', host: 'web3.example.lan', hostname: 'web3.example.lan' }

// The key a hosted service presents (what its provider publishes).
export const STORAGEBOX = {
  host: 'u123.your-storagebox.de',
  port: 23,
  user: 'u123',
  path: './borgdesk',
  type: 'ssh-ed25519',
  fingerprint: 'SHA256:XqkZJ0ITx3lq4ZbQ9+J0Gx7l3fJf0kqOQ5Bq6i5B2Hs',
}

// A run web1's agent made at 03:00 while the coordinator was closed, and
// the event Go logged when it delivered it after the 07:30 start.
export const OFFLINE_RUN = {
  id: 10,
  job_id: 1,
  job_name: 'etc-and-www',
  server_id: 1,
  server_name: 'web1',
  status: 'succeeded',
  trigger: 'offline',
  attempt: 1,
  task_id: 0,
  started_at: '2026-11-22T03:00:00Z',
  finished_at: '2026-11-22T03:04:12Z',
  archive: 'etc-and-www@2026-11-22T03.00.00Z',
  bytes: 21.4e9,
  files: 48211,
  deduplicated: 188e6,
  error: '',
  log: 'Archive name: etc-and-www@2026-11-22T03.00.00Z',
}
export const OFFLINE_DELIVERY = {
  id: 30,
  at: '2026-11-22T07:31:05Z',
  kind: 'server:changed',
  subject: WEB1.uuid,
  message: 'web1 delivered 1 run(s) made while the coordinator was closed, from 2026-11-22 03:00 to 2026-11-22 03:00',
  data: { id: WEB1.id, offline_runs: 1 },
}

export const STORAGE_FLEET = {
  ...POPULATED_FLEET,
  servers: [...POPULATED_FLEET.servers, NAS1, WEB3],
  storageTargets: { list: [], repos: {}, stepMs: 150, hostKeys: { [STORAGEBOX.host]: { type: STORAGEBOX.type, fingerprint: STORAGEBOX.fingerprint } }, refuse: {} },
}

export const OFFLINE_FLEET = {
  ...STORAGE_FLEET,
  runs: [OFFLINE_RUN, ...FLEET_RUNS],
  events: [OFFLINE_DELIVERY, ...POPULATED_FLEET.events],
}
