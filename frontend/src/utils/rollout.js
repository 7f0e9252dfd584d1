// What the Add server wizard and the uninstall dialog derive from the SSH
// rollout records Go sends (rollout.Target, HostKey, HostState, Rollout).
// Pure functions: the rollout store and the components share them.

// The steps of one host's rollout, in Go's order (backend/rollout/types.go).
// The last one, done, is not a step of its own: it says the eight are over.
export const ROLLOUT_STEPS = Object.freeze([
  'connecting',
  'host key',
  'checking the system',
  'installing borg',
  'uploading the agent',
  'enrolling',
  'starting the agent',
  'first heartbeat',
  'done',
])
export const STEP_COUNT = ROLLOUT_STEPS.length - 1

// Locale keys under rollout.steps, by Go's step name.
export const STEP_KEYS = Object.freeze({
  connecting: 'connecting',
  'host key': 'hostKey',
  'checking the system': 'checking',
  'installing borg': 'borg',
  'uploading the agent': 'upload',
  enrolling: 'enroll',
  'starting the agent': 'start',
  'first heartbeat': 'heartbeat',
  done: 'done',
})

export const DEFAULT_SSH_PORT = 22
export const DEFAULT_SSH_USER = 'root'
// Hosts done at once; Go bounds it (5 when zero, at most 20).
export const ROLLOUT_CONCURRENCY = 5
// A private key file is a few KiB; anything far larger is the wrong file.
export const MAX_KEY_BYTES = 64 * 1024

// The fields of a rollout or uninstall request that carry a credential.
export const SECRET_FIELDS = Object.freeze(['password', 'key', 'key_passphrase', 'sudo_password'])

// hostPort is "host:port" as Go's net.JoinHostPort writes it: the key of
// accept_host_keys, and how hosts are matched between records.
export function hostPort(host, port) {
  const p = Number(port) || DEFAULT_SSH_PORT
  const h = String(host ?? '')
  return h.includes(':') ? `[${h}]:${p}` : `${h}:${p}`
}

export function targetKey(record) {
  return hostPort(record?.host, record?.port)
}

// toTarget keeps the four fields of a rollout.Target and nothing else, so a
// record that went through the wizard cannot carry more to Go than a target.
export function toTarget(record) {
  return {
    host: String(record?.host ?? ''),
    port: Number(record?.port) || DEFAULT_SSH_PORT,
    user: String(record?.user ?? ''),
    name: String(record?.name ?? ''),
  }
}

// stepIndex is where step sits in ROLLOUT_STEPS, -1 for one this build does
// not know (or a host that has not started).
export function stepIndex(step) {
  return ROLLOUT_STEPS.indexOf(step)
}

// stepNumber is the "n" of "step n of 8": 0 before the first step, 8 once done.
export function stepNumber(host) {
  if (host?.status === 'done') return STEP_COUNT
  const i = stepIndex(host?.step)
  return i === -1 ? 0 : Math.min(i + 1, STEP_COUNT)
}

export function isFinished(host) {
  return host?.status === 'done' || host?.status === 'failed'
}

// progressRank orders two states of one host: a later step wins, and at the
// same step an ending beats running beats pending. Go's answers and events
// may cross, so the older one must never undo the newer.
export function progressRank(host) {
  const status = { pending: 0, running: 1, done: 2, failed: 2 }[host?.status] ?? 0
  return (stepIndex(host?.step) + 1) * 3 + status
}

export function newerHost(known, incoming) {
  if (!known) return incoming
  if (isFinished(known) && !isFinished(incoming)) return known
  return progressRank(incoming) >= progressRank(known) ? { ...known, ...incoming } : known
}

// mergeHosts folds hosts into list by host:port, keeping the newer state of
// each and the order of list (new hosts go to the end).
export function mergeHosts(list, hosts) {
  const out = [...(list ?? [])]
  for (const host of hosts ?? []) {
    if (!host) continue
    const i = out.findIndex((h) => targetKey(h) === targetKey(host))
    if (i === -1) out.push(host)
    else out[i] = newerHost(out[i], host)
  }
  return out
}

export function allFinished(hosts) {
  return Array.isArray(hosts) && hosts.length > 0 && hosts.every(isFinished)
}

// keyState is what the operator may do with a probed host key: 'error' (the
// host could not be reached), 'changed' (a different key is pinned: stop),
// 'known' (pinned already) or 'new' (to confirm).
export function keyState(key) {
  if (key?.error) return 'error'
  if (key?.changed) return 'changed'
  if (key?.known) return 'known'
  return 'new'
}

// The host key file to compare with on the server, by the key's type.
export function hostKeyFile(type) {
  const t = String(type ?? '')
  if (t.includes('ed25519')) return '/etc/ssh/ssh_host_ed25519_key.pub'
  if (t.startsWith('ecdsa')) return '/etc/ssh/ssh_host_ecdsa_key.pub'
  if (t.includes('rsa')) return '/etc/ssh/ssh_host_rsa_key.pub'
  return '/etc/ssh/ssh_host_ed25519_key.pub'
}

export function keygenCommand(type) {
  return `ssh-keygen -lf ${hostKeyFile(type)}`
}

// A single host field holds a name or an address: the user and the port have
// fields of their own. IPv6 addresses keep their colons.
export function checkHost(host) {
  const h = String(host ?? '').trim()
  if (!h) return 'required'
  if (/[\s/@,]/.test(h)) return 'invalid'
  return ''
}

export function checkPort(port) {
  const p = Number(port)
  return Number.isInteger(p) && p >= 1 && p <= 65535 ? '' : 'invalid'
}

const PRIVATE_KEY = /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----/

export function isPrivateKey(text) {
  return PRIVATE_KEY.test(String(text ?? ''))
}

// keyKind names the key's format from its first line: 'OPENSSH', 'RSA',
// 'EC', 'ENCRYPTED', '' for PKCS#8, or null when it is not a private key.
export function keyKind(text) {
  const m = PRIVATE_KEY.exec(String(text ?? ''))
  return m ? m[1].trim() : null
}

// targetsText writes targets back as lines ParseHosts reads: CSV keeps the
// port, the user and a name that differs from the host.
export function targetsText(targets) {
  return (targets ?? [])
    .map((t) => {
      const fields = [t.host, t.port || DEFAULT_SSH_PORT, t.user]
      if (t.name && t.name !== t.host) fields.push(t.name)
      return fields.join(',')
    })
    .join('\n')
}

// redact replaces every secret in text, so a sentence Go sends back can never
// show one of them (an error echoing its input, say).
export function redact(text, secrets) {
  let out = String(text ?? '')
  for (const secret of secrets ?? []) {
    if (typeof secret === 'string' && secret.length >= 3) out = out.split(secret).join('•••')
  }
  return out
}

export function secretsOf(req) {
  return SECRET_FIELDS.map((field) => req?.[field]).filter((v) => typeof v === 'string' && v !== '')
}

// scrub empties the credential fields of a request once Go has it.
export function scrub(req) {
  if (!req || typeof req !== 'object') return
  for (const field of SECRET_FIELDS) if (field in req) req[field] = ''
}

// credentials builds the credential part of a request from the form: a
// password, or a key with its passphrase and sudo's password; only what was
// filled in.
export function credentials(method, secrets) {
  const out = {}
  if (method === 'key') {
    out.key = secrets.key
    if (secrets.keyPassphrase) out.key_passphrase = secrets.keyPassphrase
    if (secrets.sudoPassword) out.sudo_password = secrets.sudoPassword
  } else {
    out.password = secrets.password
  }
  return out
}

// serverLinkRef is what the detail route takes for a host that enrolled:
// its uuid, else its name in Borgdesk (the host when it has none).
export function serverLinkRef(host) {
  return host?.server_uuid || host?.name || host?.host || ''
}
