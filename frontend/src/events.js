// Names of the events the Go side emits to the window. This file mirrors the
// Go file that declares the same names: change both together. Every event
// carries one event record: {id, at, kind, subject, message, data}.

export const SERVER_CHANGED = 'server:changed'
export const JOB_CHANGED = 'job:changed'
export const RUN_PROGRESS = 'run:progress'
export const NOTIFICATION = 'notification'
export const SETTINGS_CHANGED = 'settings:changed'
// Ephemeral: id 0 and not in the event log. subject is the server's uuid,
// data is {server_id, last_seen, metrics}.
export const AGENT_HEARTBEAT = 'agent:heartbeat'
// subject is the server's uuid, data is {task_id, status}, and while an agent
// reports progress also progress: {percent, message, files, bytes}.
export const TASK_CHANGED = 'task:changed'
// Ephemeral: one host's step in an SSH rollout; subject is the rollout id,
// data is {rollout_id, host: {host, port, user, name, step, status, message,
// fingerprint, server_uuid, init, started_at, finished_at}}.
export const ROLLOUT_PROGRESS = 'rollout:progress'
// A .flx/.flxx snapshot was opened (dropped on the window, opened from the
// file manager, or from the inbox); subject is its id, data is {id, path}.
export const FLX_OPENED = 'flx:opened'
// Ephemeral: a snapshot landed in the watched inbox folder; data is {path}.
export const FLX_INBOX = 'flx:inbox'
// A .flx job's run stored its snapshot and the job's retention ran; subject
// is the server's uuid, data is {job_id, job, run_id, name, kept, removed}.
export const FLX_STORED = 'flx:stored'
// The FUSE mounts changed (a mount or an unmount); ListMounts has the list.
export const MOUNT_CHANGED = 'mount:changed'
// A restore drill started or finished; data is {id, status}.
export const DRILL_CHANGED = 'drill:changed'
// A recovery kit was written; data is {path, size, created_at}.
export const RECOVERY_EXPORTED = 'recovery:exported'
// A repository's replication was set, removed, started or finished; subject
// is the server's uuid, data is {server_id, running, state}. Start and end
// of a run are logged; the running flag in between is live only (id 0).
export const REPLICA_CHANGED = 'replica:changed'
// An operator's mutating call, or a refused one (the audit log); subject is
// the operator's name, data is {operator, role, action, target, status}.
export const AUDIT = 'audit'

export const ALL_EVENTS = Object.freeze([
  SERVER_CHANGED,
  JOB_CHANGED,
  RUN_PROGRESS,
  NOTIFICATION,
  SETTINGS_CHANGED,
  AGENT_HEARTBEAT,
  TASK_CHANGED,
  ROLLOUT_PROGRESS,
  FLX_OPENED,
  FLX_INBOX,
  FLX_STORED,
  MOUNT_CHANGED,
  DRILL_CHANGED,
  RECOVERY_EXPORTED,
  REPLICA_CHANGED,
  AUDIT,
])

// Events that are not persisted records, so they never enter the event list.
export const EPHEMERAL_EVENTS = Object.freeze([AGENT_HEARTBEAT, ROLLOUT_PROGRESS, FLX_INBOX])

export const LOGGED_EVENTS = Object.freeze(ALL_EVENTS.filter((name) => !EPHEMERAL_EVENTS.includes(name)))
