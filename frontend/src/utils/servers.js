// What the screens derive from a Server record as Go sends it. Pure functions:
// the servers store and the components share them, and tests call them
// directly.
import { daysUntil } from './format.js'

// The rule Go applies to a server's or a job's name, checked here first so
// a typo costs no round trip. Go stays the authority and its error is shown
// as sent.
export const SERVER_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/

export function isValidServerName(name) {
  return SERVER_NAME_PATTERN.test(String(name ?? ''))
}

// Lifetimes offered for an enrollment token, as Go duration strings.
export const TOKEN_TTLS = Object.freeze(['15m', '1h', '24h'])
export const DEFAULT_TOKEN_TTL = '1h'

// A certificate is flagged this many days before it expires.
export const CERT_WARN_DAYS = 30

// certState is 'none', 'expired', 'expiring' (under CERT_WARN_DAYS left) or 'valid'.
export function certState(notAfter, now) {
  const days = daysUntil(notAfter, now)
  if (days === null) return 'none'
  if (new Date(notAfter).getTime() <= Number(now)) return 'expired'
  return days < CERT_WARN_DAYS ? 'expiring' : 'valid'
}

// serverRef is what a link to the detail page carries: the uuid, which never
// changes, or the id for a record that has none yet.
export function serverRef(server) {
  return server?.uuid || String(server?.id ?? '')
}

// matchesRef answers whether ref (a name, uuid or id as a string) names server,
// the way GetServer(ref) resolves it.
export function matchesRef(server, ref) {
  if (!server || ref == null || ref === '') return false
  const r = String(ref)
  return server.uuid === r || server.name === r || String(server.id) === r
}

export function rootDisk(metrics) {
  return metrics?.disks?.find((d) => d.mount === '/') ?? null
}

// Tools the agent looks for, in the order they are shown; a tool this build
// does not know yet is shown after them under the name Go sent.
export const KNOWN_TOOLS = Object.freeze(['mysqldump', 'pg_dump', 'mongodump', 'docker', 'lvm'])

export function presentTools(capabilities) {
  const tools = capabilities?.tools ?? {}
  const extra = Object.keys(tools)
    .filter((name) => !KNOWN_TOOLS.includes(name))
    .sort()
  return [...KNOWN_TOOLS, ...extra].filter((name) => tools[name] === true)
}

// withHeartbeat returns server as an agent:heartbeat leaves it: seen now,
// online, with the metrics it carried. A revoked server stays as it is: Go
// refuses its agent, so a heartbeat for it can only be a stale one.
export function withHeartbeat(server, data) {
  if (server.status === 'revoked') return server
  return {
    ...server,
    last_seen: data.last_seen ?? server.last_seen,
    metrics: data.metrics ?? server.metrics,
    online: true,
    status: server.status === 'offline' ? 'online' : server.status,
  }
}

// isHeartbeatFor answers whether a heartbeat event concerns server: by the
// numeric id in its data, or by the uuid in its subject.
export function isHeartbeatFor(server, event) {
  const id = event?.data?.server_id
  if (id != null && id !== 0) return server.id === id
  return Boolean(event?.subject) && server.uuid === event.subject
}

// canBackUp answers whether a job can be defined for server: it has
// enrolled (it is no longer pending) and has not been revoked.
export function canBackUp(server) {
  return Boolean(server) && server.status !== 'pending' && server.status !== 'revoked'
}

// pendingEnrolments are the servers announced by an enrollment token that
// is still valid and unused, one per name (the token that expires last),
// unless a server of that name is enrolled already (a revoked one may come
// back with a new token, so it does not hide it).
export function pendingEnrolments(tokens, servers) {
  const enrolled = new Set((servers ?? []).filter((s) => s.status !== 'revoked').map((s) => s.name))
  const byName = new Map()
  for (const t of tokens ?? []) {
    if (t.state !== 'pending' || enrolled.has(t.name)) continue
    const seen = byName.get(t.name)
    if (!seen || Date.parse(t.expires_at) > Date.parse(seen.expires_at)) byName.set(t.name, t)
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name))
}
