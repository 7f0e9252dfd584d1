// The replication of a server's repository as the server page shows it.
// Go sends a ReplicaStatus: state never | in_sync | behind | failing, with
// behind (archives the last replica lacks), reason (why it fails) and
// running while a replication goes on.

export const REPLICA_KINDS = Object.freeze(['sftp', 's3', 'local'])

// replicaTone is the badge colour of a state.
export function replicaTone(status) {
  if (!status) return 'none'
  if (status.running) return 'running'
  return { in_sync: 'ok', behind: 'warn', failing: 'bad', never: 'none' }[status.state] ?? 'none'
}

// replicaLabel is the i18n key and values of the state line.
export function replicaLabel(status) {
  if (!status) return { key: 'replica.state.none', values: {} }
  if (status.running) return { key: 'replica.state.running', values: {} }
  switch (status.state) {
    case 'in_sync':
      return { key: 'replica.state.in_sync', values: {} }
    case 'behind':
      return { key: 'replica.state.behind', values: { n: status.behind ?? 0 }, plural: status.behind ?? 0 }
    case 'failing':
      return { key: 'replica.state.failing', values: { reason: status.reason || '' } }
    default:
      return { key: 'replica.state.never', values: {} }
  }
}

// sftpTarget writes an SFTP target as the form's one field: user@host:port/path.
export function sftpTarget(target) {
  if (!target?.host) return ''
  const host = target.host.includes(':') ? `[${target.host}]` : target.host
  const port = target.port && target.port !== 22 ? `:${target.port}` : ''
  const path = !target.path ? '' : target.path.startsWith('/') ? target.path : `/~/${target.path}`
  return `${target.user}@${host}${port}${path}`
}

// formFrom fills the configure form from a ReplicaStatus (or defaults).
export function formFrom(status) {
  const t = status?.target ?? {}
  return {
    kind: t.kind || 'sftp',
    sftp: t.kind === 'sftp' ? sftpTarget(t) : '',
    endpoint: t.endpoint ?? '',
    bucket: t.bucket ?? '',
    prefix: t.kind === 's3' ? (t.path ?? '') : '',
    region: t.region ?? '',
    accessKeyId: t.access_key_id ?? '',
    secretKey: '',
    dir: t.kind === 'local' ? (t.path ?? '') : '',
    afterBackup: status ? Boolean(status.after_backup) : true,
    schedule: status?.schedule ?? '',
  }
}

// replicaInput is the ReplicaInput Go's SetReplica takes; acceptHostKey is
// the fingerprint the operator confirmed ('' when already pinned).
export function replicaInput(server, form, acceptHostKey = '') {
  const input = { server, after_backup: Boolean(form.afterBackup), schedule: String(form.schedule ?? '').trim() }
  if (form.kind === 'sftp') {
    input.sftp = form.sftp.trim()
    if (acceptHostKey) input.accept_host_key = acceptHostKey
  } else if (form.kind === 's3') {
    input.s3 = {
      endpoint: form.endpoint.trim(),
      bucket: form.bucket.trim(),
      prefix: form.prefix.trim(),
      region: form.region.trim(),
      access_key_id: form.accessKeyId.trim(),
    }
    if (form.secretKey) input.s3.secret_key = form.secretKey
  } else {
    input.dir = form.dir.trim()
  }
  return input
}

// looksLikeSftp is a quick check before asking Go: user@host[:port][/path].
export function looksLikeSftp(value) {
  return /^[^@\s/]+@(\[[^\]\s]+\]|[^:/\s@]+)(:\d{1,5})?(\/\S*)?$/.test(String(value ?? '').trim())
}

// runDuration shows how long a replication took: seconds under a minute
// ("6.4 sec"), else minutes and hours.
export function runDuration(ms, locale) {
  const n = Number(ms)
  if (!Number.isFinite(n) || n < 0) return ''
  if (n < 60_000) {
    return new Intl.NumberFormat(locale, { style: 'unit', unit: 'second', unitDisplay: 'short', maximumFractionDigits: 1 }).format(n / 1000)
  }
  const minutes = Math.round(n / 60_000)
  const hours = Math.floor(minutes / 60)
  const fmt = (v, unit) => new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'short' }).format(v)
  return hours ? [fmt(hours, 'hour'), minutes % 60 ? fmt(minutes % 60, 'minute') : ''].filter(Boolean).join(' ') : fmt(minutes, 'minute')
}
