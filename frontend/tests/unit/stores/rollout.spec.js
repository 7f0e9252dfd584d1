import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import * as Desk from 'wailsjs/go/app/Desk.js'
import * as Runtime from 'wailsjs/runtime/runtime.js'
import { emit, listenerCount, resetRuntime } from '../fake-runtime.js'
import { useRolloutStore } from '@/stores/rollout.js'

vi.mock('wailsjs/go/app/Desk.js', () => import('../fake-desk.js'))
vi.mock('wailsjs/runtime/runtime.js', () => import('../fake-runtime.js'))

const PASSWORD = 'hunter2-correct-horse'

const host = (name, fields = {}) => ({
  host: `${name}.lan`,
  port: 22,
  user: 'root',
  name,
  step: '',
  status: 'pending',
  message: '',
  started_at: null,
  finished_at: null,
  ...fields,
})

const rolloutRecord = (id, hosts) => ({ id, hosts, done: false, started_at: '2026-11-22T08:00:00Z' })

// What Go emits for one host's step.
const progress = (rolloutId, state) => ({
  id: 0,
  at: '2026-11-22T08:00:01Z',
  kind: 'rollout:progress',
  subject: rolloutId,
  message: '',
  data: { rollout_id: rolloutId, host: state },
})

const request = () => ({
  targets: [
    { host: 'web1.lan', port: 22, user: 'root', name: 'web1' },
    { host: 'web2.lan', port: 22, user: 'root', name: 'web2' },
  ],
  password: PASSWORD,
  accept_host_keys: { 'web1.lan:22': 'SHA256:aaa', 'web2.lan:22': 'SHA256:bbb' },
  concurrency: 5,
})

async function started(store, id = 'r1', hosts = [host('web1'), host('web2')]) {
  Desk.StartRollout.mockResolvedValue(rolloutRecord(id, hosts))
  const req = request()
  const res = await store.start(req)
  return { res, req }
}

describe('rollout store', () => {
  beforeEach(() => {
    resetRuntime()
    setActivePinia(createPinia())
  })

  it('starts a rollout: subscribes first, hands the request to StartRollout, and follows it', async () => {
    const store = useRolloutStore()
    Desk.StartRollout.mockImplementation(async () => {
      // Subscribed before Go could emit anything.
      expect(listenerCount('rollout:progress')).toBe(1)
      return rolloutRecord('r1', [host('web1'), host('web2')])
    })
    const req = request()
    const res = await store.start(req)

    expect(res.ok).toBe(true)
    expect(Desk.StartRollout).toHaveBeenCalledTimes(1)
    const sent = Desk.StartRollout.mock.calls[0][0]
    expect(sent.targets).toHaveLength(2)
    expect(sent.accept_host_keys).toEqual({ 'web1.lan:22': 'SHA256:aaa', 'web2.lan:22': 'SHA256:bbb' })
    expect(Runtime.EventsOn).toHaveBeenCalledWith('rollout:progress', expect.any(Function))
    expect(store.currentId).toBe('r1')
    expect(store.current.hosts.map((h) => h.name)).toEqual(['web1', 'web2'])
    expect(store.finished).toBe(false)
  })

  it('empties the credentials of the request once Go has it and keeps none', async () => {
    const store = useRolloutStore()
    const { req } = await started(store)

    expect(req.password).toBe('')
    expect(JSON.stringify(store.$state)).not.toContain(PASSWORD)
  })

  it('empties the key credentials and hides them in the error when StartRollout refuses', async () => {
    const store = useRolloutStore()
    Desk.StartRollout.mockRejectedValue('invalid key PEMTEXT-secret (passphrase pass-phrase, sudo sudo-pw)')
    const req = { targets: request().targets, key: 'PEMTEXT-secret', key_passphrase: 'pass-phrase', sudo_password: 'sudo-pw' }

    const res = await store.start(req)

    expect(res).toEqual({ ok: false, value: null, error: 'invalid key ••• (passphrase •••, sudo •••)' })
    expect(req).toMatchObject({ key: '', key_passphrase: '', sudo_password: '' })
    expect(store.current).toBeNull()
  })

  it('redacts the password from an error Go echoes it in', async () => {
    const store = useRolloutStore()
    Desk.StartRollout.mockRejectedValue(`ssh: password ${PASSWORD} refused`)
    const res = await store.start(request())
    expect(res.error).toBe('ssh: password ••• refused')
  })

  it('applies rollout:progress to the host of its rollout, by host and port', async () => {
    const store = useRolloutStore()
    await started(store, 'r1', [host('web1'), host('web2'), host('web1', { port: 2222, name: 'web1-alt' })])

    emit('rollout:progress', progress('r1', host('web2', { step: 'installing borg', status: 'running', message: 'apt-get install borgbackup' })))

    const [web1, web2, alt] = store.current.hosts
    expect(web1.status).toBe('pending')
    expect(web2).toMatchObject({ step: 'installing borg', status: 'running', message: 'apt-get install borgbackup' })
    expect(alt.status).toBe('pending')

    emit('rollout:progress', progress('r1', host('web1', { port: 2222, name: 'web1-alt', step: 'enrolling', status: 'running' })))
    expect(store.current.hosts[0].status).toBe('pending')
    expect(store.current.hosts[2]).toMatchObject({ step: 'enrolling', status: 'running' })
  })

  it('ignores the progress of rollouts it did not start', async () => {
    const store = useRolloutStore()
    emit('rollout:progress', progress('other', host('web9', { step: 'connecting', status: 'running' })))
    await started(store)

    emit('rollout:progress', progress('other', host('web1', { step: 'done', status: 'done' })))

    expect(store.current.hosts[0].status).toBe('pending')
    expect(Object.keys(store.rollouts)).toEqual(['r1'])
  })

  it('keeps events that came before StartRollout answered, for its rollout only', async () => {
    const store = useRolloutStore()
    Desk.StartRollout.mockImplementation(async () => {
      emit('rollout:progress', progress('r1', host('web1', { step: 'connecting', status: 'running' })))
      emit('rollout:progress', progress('r0', host('web2', { step: 'done', status: 'done' })))
      return rolloutRecord('r1', [host('web1'), host('web2')])
    })

    await store.start(request())

    expect(store.current.hosts[0]).toMatchObject({ step: 'connecting', status: 'running' })
    expect(store.current.hosts[1].status).toBe('pending')
  })

  it('is finished when every host has enrolled or failed', async () => {
    const store = useRolloutStore()
    await started(store)
    emit('rollout:progress', progress('r1', host('web1', { step: 'done', status: 'done', server_uuid: 'uuid-web1' })))
    expect(store.finished).toBe(false)

    emit('rollout:progress', progress('r1', host('web2', { step: 'installing borg', status: 'failed', message: 'apt-get: no space left on device' })))

    expect(store.finished).toBe(true)
    expect(store.current.done).toBe(true)
  })

  it('fills in what the events missed with GetRollout, and an older answer undoes nothing', async () => {
    const store = useRolloutStore()
    await started(store)
    emit('rollout:progress', progress('r1', host('web1', { step: 'enrolling', status: 'running' })))

    Desk.GetRollout.mockResolvedValue(
      rolloutRecord('r1', [host('web1', { step: 'connecting', status: 'running' }), host('web2', { step: 'done', status: 'done' })]),
    )
    await store.refresh()

    expect(Desk.GetRollout).toHaveBeenCalledWith('r1')
    expect(store.current.hosts[0]).toMatchObject({ step: 'enrolling', status: 'running' })
    expect(store.current.hosts[1]).toMatchObject({ step: 'done', status: 'done' })
  })

  it('asks GetRollout only about its own rollouts and keeps its error', async () => {
    const store = useRolloutStore()
    await store.refresh('nope')
    expect(Desk.GetRollout).not.toHaveBeenCalled()

    await started(store)
    Desk.GetRollout.mockRejectedValue('rollout r1: not found')
    await store.refresh()
    expect(store.refreshError).toBe('rollout r1: not found')
  })

  it('keeps the hosts left out with the rollout, and forgets both', async () => {
    const store = useRolloutStore()
    Desk.StartRollout.mockResolvedValue(rolloutRecord('r1', [host('web1')]))
    await store.start(request(), [{ host: 'db1.lan', port: 22, user: 'root', name: '', reason: 'changed', pinned: 'SHA256:old', fingerprint: 'SHA256:new' }])
    expect(store.currentSkipped).toEqual([expect.objectContaining({ host: 'db1.lan', reason: 'changed' })])

    store.forget()

    expect(store.current).toBeNull()
    expect(store.currentSkipped).toEqual([])
    emit('rollout:progress', progress('r1', host('web1', { step: 'done', status: 'done' })))
    expect(store.rollouts).toEqual({})
  })

  it('sends ProbeHosts the targets and nothing else', async () => {
    const store = useRolloutStore()
    Desk.ProbeHosts.mockResolvedValue([])
    await store.probeHosts([{ host: 'web1.lan', port: 22, user: 'root', name: 'web1', password: PASSWORD }])
    expect(Desk.ProbeHosts).toHaveBeenCalledWith([{ host: 'web1.lan', port: 22, user: 'root', name: 'web1' }])
  })

  describe('forgetting a changed host key', () => {
    const reinstalled = { host: 'db1.lan', port: 2222, type: 'ssh-ed25519', fingerprint: 'SHA256:new', known: false, changed: false }

    it('forgets the pinned key for host and port, then probes that host alone, with no credential', async () => {
      const store = useRolloutStore()
      const order = []
      Desk.ForgetHostKey.mockImplementation(async () => order.push('forget'))
      Desk.ProbeHosts.mockImplementation(async () => {
        order.push('probe')
        return [reinstalled]
      })

      const res = await store.forgetHostKey({ host: 'db1.lan', port: 2222, user: 'root', name: 'db1', password: PASSWORD })

      expect(order).toEqual(['forget', 'probe'])
      expect(Desk.ForgetHostKey).toHaveBeenCalledWith('db1.lan', 2222)
      expect(Desk.ProbeHosts).toHaveBeenCalledWith([{ host: 'db1.lan', port: 2222, user: 'root', name: 'db1' }])
      expect(res).toEqual({ ok: true, value: reinstalled, error: '', forgotten: true })
      // Nothing is accepted along the way: no rollout, no state kept.
      expect(Desk.StartRollout).not.toHaveBeenCalled()
      expect(store.rollouts).toEqual({})
    })

    it('finds the key of an IPv6 host in the answer by host and port', async () => {
      const store = useRolloutStore()
      const key = { ...reinstalled, host: 'fd00::5', port: 22 }
      Desk.ProbeHosts.mockResolvedValue([{ ...key, host: 'fd00::6' }, key])
      const res = await store.forgetHostKey({ host: 'fd00::5', port: 22, user: 'root', name: '' })
      expect(Desk.ForgetHostKey).toHaveBeenCalledWith('fd00::5', 22)
      expect(res.value).toEqual(key)
    })

    it('answers null when the probe leaves the host out', async () => {
      const store = useRolloutStore()
      Desk.ProbeHosts.mockResolvedValue([])
      const res = await store.forgetHostKey({ host: 'db1.lan', port: 22, user: 'root', name: '' })
      expect(res).toEqual({ ok: true, value: null, error: '', forgotten: true })
    })

    it('probes nothing when Go refuses to forget, and passes its sentence on', async () => {
      const store = useRolloutStore()
      Desk.ForgetHostKey.mockRejectedValue('forget host key: open known_hosts: permission denied')
      const res = await store.forgetHostKey({ host: 'db1.lan', port: 22, user: 'root', name: '' })
      expect(res).toEqual({ ok: false, value: null, error: 'forget host key: open known_hosts: permission denied', forgotten: false })
      expect(Desk.ProbeHosts).not.toHaveBeenCalled()
    })

    it('says the key was forgotten even when the probe then fails', async () => {
      const store = useRolloutStore()
      Desk.ProbeHosts.mockRejectedValue('probe: no route to host')
      const res = await store.forgetHostKey({ host: 'db1.lan', port: 22, user: 'root', name: '' })
      expect(res).toEqual({ ok: false, value: null, error: 'probe: no route to host', forgotten: true })
    })
  })

  it('parses a pasted host list through ParseHosts and passes its refusal on', async () => {
    const store = useRolloutStore()
    Desk.ParseHosts.mockRejectedValue('line 2 ("web2:99999"): port "99999" is not a number from 1 to 65535')
    const res = await store.parseHosts('web1\nweb2:99999', 'root')
    expect(Desk.ParseHosts).toHaveBeenCalledWith('web1\nweb2:99999', 'root')
    expect(res).toEqual({ ok: false, value: null, error: 'line 2 ("web2:99999"): port "99999" is not a number from 1 to 65535' })
  })

  it('uninstalls through UninstallServer and empties the credentials', async () => {
    const store = useRolloutStore()
    Desk.UninstallServer.mockResolvedValue(host('web1', { step: 'done', status: 'done', message: 'agent removed; server revoked' }))
    const req = { server: 'uuid-web1', host: 'web1.lan', port: 22, user: 'root', password: PASSWORD }

    const res = await store.uninstall(req)

    expect(Desk.UninstallServer).toHaveBeenCalledTimes(1)
    expect(res.ok).toBe(true)
    expect(res.value.message).toBe('agent removed; server revoked')
    expect(req.password).toBe('')
    expect(JSON.stringify(store.$state)).not.toContain(PASSWORD)

    Desk.UninstallServer.mockRejectedValue(`ssh root@web1.lan: password ${PASSWORD} refused`)
    const res2 = await store.uninstall({ ...req, password: PASSWORD })
    expect(res2.error).toBe('ssh root@web1.lan: password ••• refused')
  })
})
