// The replication part of the Go double (desk-double.js): GetReplica,
// ProbeReplicaHost, SetReplica, RunReplica and RemoveReplica answer as
// backend/service/replicas.go does, with its sentences, and announce each
// change with replica:changed. A run stays "running" until the test calls
// finishReplica, so the page can be seen mid-run.

export const REPLICA_HOST_KEY = {
  type: 'ecdsa-sha2-nistp256',
  fingerprint: 'SHA256:Qm9yZ2Rlc2sgcmVwbGljYSB0ZXN0IGhvc3Qga2V5MDE',
  file: '/etc/ssh/ssh_host_ecdsa_key.pub',
}
export const REPLICA_PUBLIC_KEY = 'restrict ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB0rZ2Rlc2tSZXBsaWNhS2V5Rm9yVGVzdHM borgdesk-replica@web1'

// installReplicaDesk runs after installDesk's script, in the page.
export async function installReplicaDesk(page) {
  await page.addInitScript(
    ({ hostKey, publicKey }) => {
      const { answer, find, state, clone, emit, nextEventId } = window.__desk
      const Desk = window.go.app.Desk
      state.replicas ||= {}
      state.replicaHostKeys ||= {}

      const announce = (uuid, message, data = {}) =>
        setTimeout(() => emit('replica:changed', { id: message ? nextEventId() : 0, at: new Date().toISOString(), kind: 'replica:changed', subject: uuid, message, data }), 0)
      const parse = (sftp) => {
        const m = /^([^@\s/]+)@(\[[^\]]+\]|[^:/\s]+)(?::(\d+))?(\/.*)?$/.exec(String(sftp).trim())
        if (!m) throw new Error(`invalid input: "${sftp}": write the SFTP target as user@host[:port]/path`)
        return { kind: 'sftp', user: m[1], host: m[2].replace(/^\[|\]$/g, ''), port: Number(m[3] || 22), path: m[4] || '' }
      }
      const address = (t) => `${t.host}:${t.port}`
      const keyOf = (t) => ({ ...hostKey, ...(state.replicaHostKeys[address(t)] || {}) })
      const display = (t) =>
        t.kind === 'sftp' ? `sftp://${t.user}@${address(t)}${t.path}` : t.kind === 's3' ? `s3://${t.bucket}/${t.path || ''} (${t.endpoint})` : t.path
      const statusOf = (server) => {
        const r = state.replicas[server.uuid]
        if (!r) throw new Error(`not found: ${server.name} has no replica; set one with \`borgdesk replica set ${server.name} --sftp …\``)
        return r
      }

      Desk.GetReplica = answer('GetReplica', (ref) => clone(statusOf(find(ref))))
      Desk.ListReplicas = answer('ListReplicas', () => clone(Object.values(state.replicas)))
      Desk.ProbeReplicaHost = answer('ProbeReplicaHost', (ref, sftp) => {
        const server = find(ref)
        const t = parse(sftp)
        const prev = state.replicas[server.uuid]
        const pinned = prev?.target?.kind === 'sftp' && address(prev.target) === address(t) ? prev.host_key_fingerprint : ''
        return { ...keyOf(t), address: address(t), pinned }
      })
      Desk.SetReplica = answer('SetReplica', (input) => {
        const server = find(input.server)
        const prev = state.replicas[server.uuid]
        let target
        let fingerprint = ''
        if (input.sftp) {
          target = parse(input.sftp)
          const key = keyOf(target)
          const pinned = prev?.target?.kind === 'sftp' && address(prev.target) === address(target) ? prev.host_key_fingerprint : ''
          if (input.accept_host_key && input.accept_host_key !== key.fingerprint) {
            throw new Error(`invalid input: the host key of ${address(target)} is ${key.fingerprint}, not the confirmed ${input.accept_host_key}; nothing was saved`)
          }
          if (!input.accept_host_key && pinned !== key.fingerprint) {
            throw new Error(`invalid input: the host key of ${address(target)} is ${key.type} ${key.fingerprint}; compare it with \`ssh-keygen -lf ${key.file}\` on the target and confirm it (--accept-host-key ${key.fingerprint})`)
          }
          fingerprint = key.fingerprint
        } else if (input.s3) {
          target = { kind: 's3', endpoint: input.s3.endpoint, bucket: input.s3.bucket, path: input.s3.prefix, region: input.s3.region, access_key_id: input.s3.access_key_id }
          if (!input.s3.secret_key && !prev?.secret_set) throw new Error('invalid input: the S3 target needs its secret key (--secret-key-stdin)')
        } else {
          target = { kind: 'local', path: input.dir }
        }
        const moved = !prev || JSON.stringify(prev.target) !== JSON.stringify(target)
        const at = new Date().toISOString()
        const status = {
          ...(moved ? { status: 'never', state: 'never', summary: 'never replicated', archives: [], last_success_at: null, last_attempt_at: null, bytes: 0, files: 0, transferred: 0, duration_ms: 0, verified: '', error: '', reason: '', behind: 0 } : prev),
          server_id: server.id,
          server_uuid: server.uuid,
          server_name: server.name,
          kind: target.kind,
          target,
          display: display(target),
          location: target.kind === 'sftp' ? `ssh://${target.user}@${address(target)}${target.path}/${server.uuid}` : `${display(target)}/${server.uuid}`,
          after_backup: Boolean(input.after_backup),
          schedule: input.schedule || '',
          public_key: target.kind === 'sftp' ? publicKey.replace('web1', server.name) : '',
          host_key_fingerprint: fingerprint,
          secret_set: target.kind === 's3' && (Boolean(input.s3?.secret_key) || Boolean(prev?.secret_set)),
          running: false,
          created_at: prev?.created_at ?? at,
          updated_at: at,
        }
        state.replicas[server.uuid] = status
        announce(server.uuid, `replication of ${server.name} set to ${status.display}`, { server_id: server.id })
        return clone(status)
      })
      Desk.RunReplica = answer('RunReplica', (ref) => {
        const server = find(ref)
        const r = statusOf(server)
        r.running = true
        r.last_attempt_at = new Date().toISOString()
        announce(server.uuid, `replication of ${server.name} started (by hand)`, { server_id: server.id, running: true })
        return clone(r)
      })
      Desk.RemoveReplica = answer('RemoveReplica', (ref) => {
        const server = find(ref)
        const r = statusOf(server)
        delete state.replicas[server.uuid]
        announce(server.uuid, `replication of ${server.name} removed; the replica at ${r.location} was left as it is`, { server_id: server.id })
        return clone(r)
      })

      // __updateReplica changes a replica as a run's end (or a backup) does and announces it.
      window.__updateReplica = (ref, patch) => {
        const server = find(ref)
        Object.assign(statusOf(server), patch)
        announce(server.uuid, `replication of ${server.name}: ${statusOf(server).summary}`, { server_id: server.id, state: statusOf(server).state })
      }
    },
    { hostKey: REPLICA_HOST_KEY, publicKey: REPLICA_PUBLIC_KEY },
  )
}

// finishReplica ends the running replication of a server: in sync with
// the given archives, or failing for reason with error.
export async function finishReplica(page, ref, { archives = [], reason = '', error = '', bytes = 0 } = {}) {
  const now = await page.evaluate(() => new Date().toISOString())
  const patch = reason
    ? { running: false, status: 'failed', state: 'failing', summary: `failing: ${reason}`, reason, error }
    : {
        running: false,
        status: 'ok',
        state: 'in_sync',
        summary: 'in sync',
        behind: 0,
        archives,
        bytes,
        files: 14,
        transferred: bytes,
        duration_ms: 6400,
        verified: `sizes and MD5 hashes of all 14 files`,
        last_success_at: now,
        error: '',
        reason: '',
      }
  await page.evaluate(([r, p]) => window.__updateReplica(r, p), [ref, patch])
}

// replicaBehind says a backup happened since the last replica.
export async function replicaBehind(page, ref, n) {
  await page.evaluate(([r, count]) => window.__updateReplica(r, { state: 'behind', behind: count, summary: `behind by ${count} archive${count === 1 ? '' : 's'}` }), [ref, n])
}
