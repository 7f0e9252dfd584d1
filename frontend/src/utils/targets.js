// What the Storage page and the server page derive from the storage targets
// Go sends (store.Target) and RepoTargets (server id → target name). Pure
// functions: the targets store and the components share them, and tests
// call them directly.
import { isValidServerName } from './servers.js'

// The coordinator's own data dir has no row; SetRepoTarget takes this name.
export const LOCAL_TARGET = 'local'

// The defaults Go applies to a storage node (service.AddStorageNode).
export const DEFAULT_NODE_LISTEN = ':2222'
export const DEFAULT_NODE_DIR = '/var/lib/borgdesk-storage'
export const DEFAULT_HOSTED_PORT = 22

// Go's AddHostedTarget refuses an unconfirmed key with a sentence that
// starts with ErrHostKeyUnconfirmed's text and names the key; the dialog
// shows that key and asks the operator to compare it.
const UNCONFIRMED = /host key not confirmed/
const KEY_SENTENCE = /presents the (\S+) key (SHA256:[A-Za-z0-9+/]+=*)/
const FINGERPRINT = /SHA256:[A-Za-z0-9+/]+=*/

// unconfirmedHostKey reads {type, fingerprint} out of that refusal, or null
// when the error is another one.
export function unconfirmedHostKey(message) {
  const text = String(message ?? '')
  if (!UNCONFIRMED.test(text)) return null
  const sentence = KEY_SENTENCE.exec(text)
  if (sentence) return { type: sentence[1], fingerprint: sentence[2] }
  const fp = FINGERPRINT.exec(text)
  return fp ? { type: '', fingerprint: fp[0] } : null
}

function joinHostPort(host, port) {
  const h = String(host ?? '')
  return h.includes(':') ? `[${h}]:${port}` : `${h}:${port}`
}

// targetAddress is where agents reach a target: host:port for a storage
// node, user@host:port for a hosted service.
export function targetAddress(target) {
  if (!target?.host) return ''
  const at = joinHostPort(target.host, target.port || DEFAULT_HOSTED_PORT)
  return target.kind === 'hosted' && target.user ? `${target.user}@${at}` : at
}

// targetOf is the target a server's repository lives on, or null for the
// coordinator's data dir (or a target this list does not know yet).
export function targetOf(server, repoTargets, targets) {
  const name = server ? repoTargets?.[server.id] : undefined
  if (!name) return null
  return targets.find((t) => t.name === name) ?? { name, kind: '', status: '' }
}

// serversOn lists the servers whose repositories live on a target (name),
// or on the coordinator for LOCAL_TARGET, by name; revoked servers keep
// their repository and are listed too.
export function serversOn(name, servers, repoTargets) {
  return servers
    .filter((s) => (repoTargets?.[s.id] ?? LOCAL_TARGET) === name)
    .sort((a, b) => a.name.localeCompare(b.name))
}

// nodeCandidates are the servers that can become a storage node: online,
// and not one already.
export function nodeCandidates(servers, targets) {
  const nodes = new Set(targets.filter((t) => t.kind === 'node').map((t) => t.server_id))
  return servers.filter((s) => s.online && s.status === 'online' && !nodes.has(s.id))
}

// locationChoices are the targets a server's repository can move to: every
// target but the storage node that is the server itself (Go refuses a
// server keeping its backups on itself).
export function locationChoices(server, targets) {
  return targets.filter((t) => !(t.kind === 'node' && t.server_id === server?.id))
}

// checkListen says what is wrong with a node's listen address ("" nothing):
// host:port or :port, as Go's net.SplitHostPort takes it.
export function checkListen(listen) {
  const m = /^(\[[^\]]*\]|[^:[\]]*):(\d{1,5})$/.exec(String(listen ?? '').trim())
  if (!m) return 'invalid'
  const port = Number(m[2])
  return port >= 1 && port <= 65535 ? '' : 'invalid'
}

// checkNodeDir: an absolute path other than /.
export function checkNodeDir(dir) {
  const d = String(dir ?? '').trim()
  if (!d) return 'required'
  if (!d.startsWith('/') || /^\/+$/.test(d)) return 'invalid'
  return ''
}

// checkHostedPath: a plain directory without quotes, spaces, backslashes
// or "..", as Go requires before it writes the forced command.
export function checkHostedPath(path) {
  const p = String(path ?? '')
  if (!p.trim()) return 'required'
  if (/["' \\\n]/.test(p) || p.includes('..')) return 'invalid'
  return ''
}

// checkTargetName: a target is named like a server.
export function checkTargetName(name, { optional = false } = {}) {
  const n = String(name ?? '')
  if (!n) return optional ? '' : 'required'
  return isValidServerName(n) ? '' : 'invalid'
}

// offlineDeliveries are the server:changed records saying an agent
// delivered runs it made while the coordinator was closed, from since on,
// newest first.
export function offlineDeliveries(events, since) {
  const from = since ? Date.parse(since) : NaN
  return events.filter((e) => {
    if (!(Number(e?.data?.offline_runs) > 0)) return false
    return Number.isNaN(from) || Date.parse(e.at) >= from
  })
}
