// The storage part of the Go double (desk-double.js): storage nodes, hosted
// Borg services and where each repository lives, with Go's checks and
// sentences (backend/service/targets.go, hosted.go). The data is the
// fleet's storageTargets (fixtures-storage.js); a fleet without it has no
// target and every repository on the coordinator.

export { NAS1, WEB3, STORAGEBOX, OFFLINE_RUN, OFFLINE_DELIVERY, STORAGE_FLEET, OFFLINE_FLEET } from './fixtures-storage.js'

// installStorageDesk runs after installDesk's script, in the page: it
// extends window.go.app.Desk through window.__desk.
export async function installStorageDesk(page) {
  await page.addInitScript(() => {
    const { answer, find, state, clone, emit, nextEventId } = window.__desk
    const Desk = window.go.app.Desk
    const conf = () => (state.storageTargets ||= { list: [], repos: {}, stepMs: 50, hostKeys: {}, refuse: {} })
    window.__storage = conf
    // With holdNode set, a node's agent answers only when released.
    const held = []
    window.__releaseStorage = () => {
      conf().holdNode = false
      held.splice(0).forEach((go) => go())
    }

    const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/
    const announce = (subject, message, data) =>
      setTimeout(() => emit('server:changed', { id: nextEventId(), at: new Date().toISOString(), kind: 'server:changed', subject, message, data }), 0)
    const findTarget = (ref) => {
      const t = conf().list.find((x) => x.name === String(ref) || String(x.id) === String(ref))
      if (!t) throw new Error(`no storage target ${JSON.stringify(String(ref))} (borgdesk storage list shows them): not found`)
      return t
    }
    const create = (fields) => {
      const c = conf()
      if (c.list.some((t) => t.name === fields.name)) throw new Error(`a storage target named ${JSON.stringify(fields.name)} exists: conflict`)
      const t = {
        id: Math.max(0, ...c.list.map((x) => x.id)) + 1,
        server_id: 0,
        server_name: '',
        server_uuid: '',
        user: '',
        listen: '',
        host_key: '',
        host_key_fingerprint: '',
        status: 'pending',
        last_error: '',
        free_bytes: 0,
        created_at: new Date().toISOString(),
        ...fields,
      }
      c.list.push(t)
      c.list.sort((a, b) => a.name.localeCompare(b.name))
      return t
    }
    const keyBody = (seed) => btoa(seed.padEnd(32, '.')).replace(/=+$/, '')
    const fingerprintOf = (seed) => `SHA256:${btoa(seed.padEnd(32, '#')).replace(/=+$/, '').slice(0, 43)}`

    Desk.ListTargets = answer('ListTargets', () => clone(conf().list))
    Desk.RepoTargets = answer('RepoTargets', () => clone(conf().repos))

    // Go records the node, announces it, and answers once the agent
    // reported its host key (stepMs here).
    Desk.AddStorageNode = answer('AddStorageNode', (input) => {
      const server = find(input.server)
      if (server.status === 'revoked') throw new Error(`invalid: server ${server.name} is revoked`)
      const name = input.name || server.name
      if (!NAME.test(name)) throw new Error(`invalid: storage target name ${JSON.stringify(name)}: use 1 to 63 letters, digits, dots, dashes or underscores, starting with a letter or digit`)
      const listen = input.listen || ':2222'
      const port = Number(listen.split(':').pop())
      if (!/^(\[[^\]]*\]|[^:]*):\d+$/.test(listen) || port < 1 || port > 65535) throw new Error(`invalid: listen address ${JSON.stringify(listen)}: give host:port or :port`)
      const dir = input.dir || '/var/lib/borgdesk-storage'
      if (!dir.startsWith('/') || dir === '/') throw new Error(`invalid: storage directory ${JSON.stringify(dir)} must be an absolute path other than /`)
      const host = input.address || server.host || server.hostname
      const t = create({ name, kind: 'node', server_id: server.id, server_name: server.name, server_uuid: server.uuid, host, port, path: dir, listen })
      announce(server.uuid, `${server.name} is becoming a storage node (${listen})`, { id: server.id })
      return new Promise((resolve, reject) => {
        const answered = () => {
          if (!server.online) {
            Object.assign(t, { status: 'failing', last_error: `storage node ${name}: task did not finish within 2m0s (is the agent online?)` })
            return reject(t.last_error)
          }
          Object.assign(t, { status: 'ready', host_key: `ssh-ed25519 ${keyBody(name)}`, host_key_fingerprint: fingerprintOf(name), free_bytes: 3.6e12 })
          resolve(clone(t))
        }
        if (conf().holdNode) held.push(answered)
        else setTimeout(answered, conf().stepMs)
      })
    })

    Desk.AddHostedTarget = answer('AddHostedTarget', (input) => {
      if (!NAME.test(input.name || '')) throw new Error(`invalid: storage target name ${JSON.stringify(input.name || '')}: use 1 to 63 letters, digits, dots, dashes or underscores, starting with a letter or digit`)
      const port = input.port || 22
      if (!input.host || !input.user || !input.path) throw new Error('invalid: a hosted target needs --host, --user and --path')
      const key = conf().hostKeys[input.host]
      if (!key) throw new Error(`unavailable: cannot reach ${input.host}:${port}: dial tcp: lookup ${input.host}: no such host`)
      if (!input.accept_host_key) {
        throw new Error(`host key not confirmed: ${input.host}:${port} presents the ${key.type} key ${key.fingerprint}; compare it with what your provider publishes, then add --accept-host-key ${key.fingerprint}`)
      }
      if (input.accept_host_key !== key.fingerprint) {
        throw new Error(`invalid: ${input.host}:${port} presents ${key.fingerprint}, not the ${input.accept_host_key} you confirmed — stop and check with your provider (a changed key can mean someone is in the middle)`)
      }
      return clone(create({ name: input.name, kind: 'hosted', host: input.host, port, user: input.user, path: input.path, host_key: `${key.type} ${keyBody(input.host)}`, host_key_fingerprint: key.fingerprint }))
    })

    Desk.HostedKeys = answer('HostedKeys', (ref) => {
      const t = findTarget(ref)
      if (t.kind !== 'hosted') throw new Error(`invalid: ${t.name} is a ${t.kind} target; only hosted services need keys installed by hand`)
      const lines = [`command="borg serve --restrict-to-path ${t.path}",restrict ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIcoordinator borgdesk-coordinator`]
      for (const [id, name] of Object.entries(conf().repos)) {
        const server = state.servers.find((s) => String(s.id) === id)
        if (name === t.name && server) lines.push(`command="borg serve --append-only --restrict-to-path ${t.path}/${server.uuid}",restrict ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${server.name} borgdesk-${server.name}`)
      }
      return lines
    })

    Desk.CheckTarget = answer('CheckTarget', (ref) => {
      const t = findTarget(ref)
      const refusal = conf().refuse[t.name]
      if (refusal) {
        const msg = `${t.name} refused or failed the coordinator's connection (${refusal}); install the lines \`borgdesk storage keys ${t.name}\` prints in its authorized_keys`
        Object.assign(t, { status: 'failing', last_error: msg })
        throw new Error(`unavailable: ${msg}`)
      }
      Object.assign(t, { status: 'ready', last_error: '' })
      return clone(t)
    })

    Desk.RemoveTarget = answer('RemoveTarget', (ref) => {
      const t = findTarget(ref)
      const n = Object.values(conf().repos).filter((name) => name === t.name).length
      if (n > 0) throw new Error(`${n} repositories live on this target; move them first: conflict`)
      conf().list = conf().list.filter((x) => x !== t)
    })

    Desk.SetRepoTarget = answer('SetRepoTarget', (ref, target) => {
      const server = find(ref)
      const c = conf()
      let name = ''
      if (target && target !== 'local') {
        const t = findTarget(target)
        if (t.server_id === server.id) throw new Error(`invalid: ${server.name} cannot keep its own backups on itself; pick another target`)
        name = t.name
      }
      if ((c.repos[server.id] ?? '') === name) return clone(server)
      const known = (state.archives[server.uuid] ?? []).length
      if (known > 0) throw new Error(`conflict: ${server.name} already has ${known} archive(s) where its repository is now; they would stay behind — move the repository instead`)
      if (name) c.repos[server.id] = name
      else delete c.repos[server.id]
      announce(server.uuid, `the repository of ${server.name} now lives on ${name || 'the coordinator'}`, { id: server.id })
      return clone(server)
    })
  })
}
