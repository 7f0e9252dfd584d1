// Names of the events the Go side emits to the window. This file mirrors the
// Go file that declares the same names: change both together. Every event
// carries one persisted event record: {id, at, kind, subject, message}.

export const SERVER_CHANGED = 'server:changed'
export const JOB_CHANGED = 'job:changed'
export const RUN_PROGRESS = 'run:progress'
export const NOTIFICATION = 'notification'
export const SETTINGS_CHANGED = 'settings:changed'

export const ALL_EVENTS = Object.freeze([
  SERVER_CHANGED,
  JOB_CHANGED,
  RUN_PROGRESS,
  NOTIFICATION,
  SETTINGS_CHANGED,
])
