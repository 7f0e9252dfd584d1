// The alert and mail settings as the settings page edits them. Go keeps each
// as one string (settings are key → string); these helpers turn the comma
// lists, quiet hours and per-server RPO keys into what the form shows and
// back.

export const ALERT_EVENTS = Object.freeze(['run_failed', 'rpo_missed', 'agent_offline', 'cert_expiring', 'drill_failed', 'flx_inbox', 'replica_failed', 'run_succeeded'])
export const ALERT_CHANNELS = Object.freeze(['email', 'desktop', 'webhook'])
export const SMTP_SECURITY = Object.freeze(['starttls', 'tls', 'none'])

export function channelKey(channel) {
  return `notify.${channel}.events`
}

// parseList reads a comma list: blanks trimmed, empties and repeats dropped.
export function parseList(value) {
  const seen = new Set()
  for (const part of String(value ?? '').split(',')) {
    const item = part.trim()
    if (item) seen.add(item)
  }
  return [...seen]
}

// withEvent answers the comma list with event switched on or off. Known
// events keep ALERT_EVENTS' order; one this build does not know stays, after
// them, so a newer Go's rule is not lost by ticking a box.
export function withEvent(value, event, on) {
  const items = new Set(parseList(value))
  if (on) items.add(event)
  else items.delete(event)
  const known = ALERT_EVENTS.filter((e) => items.has(e))
  const unknown = [...items].filter((e) => !ALERT_EVENTS.includes(e))
  return [...known, ...unknown].join(',')
}

export function hasEvent(value, event) {
  return parseList(value).includes(event)
}

// Recipients are a comma list too; the form shows them one per line or
// separated by commas, and sends them comma-separated.
export function normaliseRecipients(text) {
  return parseList(String(text ?? '').replace(/[\n;]/g, ',')).join(',')
}

const CLOCK = /^([01]\d|2[0-3]):[0-5]\d$/

// parseQuietHours reads "22:00-07:00"; "" (or anything else) is no quiet hours.
export function parseQuietHours(value) {
  const m = /^\s*(\d\d:\d\d)\s*-\s*(\d\d:\d\d)\s*$/.exec(String(value ?? ''))
  if (!m || !CLOCK.test(m[1]) || !CLOCK.test(m[2])) return null
  return { from: m[1], to: m[2] }
}

export function formatQuietHours(from, to) {
  return CLOCK.test(from ?? '') && CLOCK.test(to ?? '') ? `${from}-${to}` : ''
}

export const RPO_PREFIX = 'rpo.'
export const RPO_DEFAULT_KEY = 'rpo.default'

// rpoOverrides lists the servers with an RPO of their own (rpo.<name> set and
// not empty), by name.
export function rpoOverrides(settings) {
  return Object.entries(settings ?? {})
    .filter(([k, v]) => k.startsWith(RPO_PREFIX) && k !== RPO_DEFAULT_KEY && String(v ?? '') !== '')
    .map(([k, v]) => ({ name: k.slice(RPO_PREFIX.length), value: String(v) }))
    .sort((a, b) => a.name.localeCompare(b.name))
}

export function isTrue(value, fallback = false) {
  if (value === 'true') return true
  if (value === 'false') return false
  return fallback
}
