import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import * as Desk from 'wailsjs/go/app/Desk.js'
import * as Runtime from 'wailsjs/runtime/runtime.js'
import { emit, listenerCount, resetRuntime } from '../fake-runtime.js'
import { useServersStore } from '@/stores/servers.js'

vi.mock('wailsjs/go/app/Desk.js', () => import('../fake-desk.js'))
vi.mock('wailsjs/runtime/runtime.js', () => import('../fake-runtime.js'))

const metrics = (cpu) => ({ collected_at: '2026-11-22T07:55:00Z', cpu_percent: cpu, mem_total: 8e9, mem_used: 2e9, disks: [], net: [] })
const web1 = {
  id: 1,
  uuid: 'uuid-web1',
  name: 'web1',
  status: 'online',
  online: true,
  last_seen: '2026-11-22T07:55:00Z',
  metrics: metrics(10),
}
const web2 = { id: 2, uuid: 'uuid-web2', name: 'web2', status: 'offline', online: false, last_seen: null, metrics: null }

const beat = (server, at, cpu, data = {}) => ({
  id: 0,
  at,
  kind: 'agent.heartbeat',
  subject: server.uuid,
  message: '',
  data: { server_id: server.id, last_seen: at, metrics: metrics(cpu), ...data },
})

describe('servers store', () => {
  beforeEach(() => {
    resetRuntime()
    setActivePinia(createPinia())
  })

  it('loads the servers through ListServers', async () => {
    Desk.ListServers.mockResolvedValue([web1])
    const store = useServersStore()
    expect(store.loaded).toBe(false)

    await store.load()

    expect(Desk.ListServers).toHaveBeenCalledTimes(1)
    expect(store.items).toEqual([web1])
    expect(store.loaded).toBe(true)
    expect(store.isEmpty).toBe(false)
    expect(store.error).toBe('')
  })

  it('lists the pending enrolments with the servers, and revokes a token', async () => {
    Desk.ListServers.mockResolvedValue([])
    Desk.ListEnrollmentTokens.mockResolvedValue([
      { id: 7, name: 'web9', state: 'pending', expires_at: '2026-11-22T09:00:00Z' },
      { id: 6, name: 'gone', state: 'expired', expires_at: '2026-11-20T09:00:00Z' },
    ])
    const store = useServersStore()
    await store.load()
    expect(store.pending.map((t) => t.name)).toEqual(['web9'])
    expect(store.isEmpty).toBe(false)

    Desk.RevokeEnrollmentToken.mockResolvedValue([{ id: 7, name: 'web9', state: 'pending' }])
    const result = await store.revokeToken('web9')
    expect(result.ok).toBe(true)
    expect(Desk.RevokeEnrollmentToken).toHaveBeenCalledWith('web9')
    expect(store.pending).toEqual([])
    expect(store.isEmpty).toBe(true)

    Desk.RevokeEnrollmentToken.mockRejectedValue('no unused enrollment token is named web9: not found')
    expect(await store.revokeToken('web9')).toEqual({ ok: false, value: null, error: 'no unused enrollment token is named web9: not found' })
  })

  it('is empty only once an empty list has arrived', async () => {
    Desk.ListServers.mockResolvedValue([])
    const store = useServersStore()
    expect(store.isEmpty).toBe(false)
    await store.load()
    expect(store.isEmpty).toBe(true)
  })

  it('keeps the error Go rejected with', async () => {
    Desk.ListServers.mockRejectedValue('list servers: database is locked')
    const store = useServersStore()

    await store.load()

    expect(store.error).toBe('list servers: database is locked')
    expect(store.loaded).toBe(false)
    expect(store.isEmpty).toBe(false)
  })

  it('refreshes when Go emits server:changed', async () => {
    Desk.ListServers.mockResolvedValueOnce([web1]).mockResolvedValueOnce([web1, web2])
    const store = useServersStore()
    await store.load()
    expect(Runtime.EventsOn).toHaveBeenCalledWith('server:changed', expect.any(Function))

    emit('server:changed', { id: 9, kind: 'server.enrolled', subject: 'web2' })

    await vi.waitFor(() => expect(store.items).toEqual([web1, web2]))
    expect(Desk.ListServers).toHaveBeenCalledTimes(2)
  })

  it('subscribes once however often it loads', async () => {
    Desk.ListServers.mockResolvedValue([])
    const store = useServersStore()
    await store.load()
    await store.load()
    expect(listenerCount('server:changed')).toBe(1)
    expect(listenerCount('agent:heartbeat')).toBe(1)
  })

  it('collapses a burst of events into one more fetch', async () => {
    let release
    Desk.ListServers.mockResolvedValueOnce([]).mockImplementationOnce(
      () => new Promise((resolve) => (release = resolve)),
    )
    Desk.ListServers.mockResolvedValue([web1, web2])
    const store = useServersStore()
    await store.load()

    for (let i = 0; i < 5; i++) emit('server:changed', { id: i })
    await vi.waitFor(() => expect(release).toBeTypeOf('function'))
    release([web1])

    await vi.waitFor(() => expect(store.items).toEqual([web1, web2]))
    expect(Desk.ListServers).toHaveBeenCalledTimes(3)
  })

  it('shows a missing Wails runtime as an error', async () => {
    Runtime.EventsOn.mockImplementationOnce(() => {
      throw new TypeError("Cannot read properties of undefined (reading 'EventsOnMultiple')")
    })
    const store = useServersStore()

    await store.load()

    expect(store.error).toMatch(/EventsOnMultiple/)
    expect(Desk.ListServers).not.toHaveBeenCalled()
  })

  describe('agent:heartbeat', () => {
    it('patches last_seen, metrics and online in place without fetching', async () => {
      Desk.ListServers.mockResolvedValue([web1, web2])
      const store = useServersStore()
      await store.load()

      emit('agent:heartbeat', beat(web2, '2026-11-22T08:00:00Z', 55))

      const [first, second] = store.items
      expect(first).toEqual(web1)
      expect(second.last_seen).toBe('2026-11-22T08:00:00Z')
      expect(second.metrics.cpu_percent).toBe(55)
      expect(second.online).toBe(true)
      expect(second.status).toBe('online')
      await new Promise((r) => setTimeout(r, 0))
      expect(Desk.ListServers).toHaveBeenCalledTimes(1)
    })

    it('finds the server by uuid when the data has no id', async () => {
      Desk.ListServers.mockResolvedValue([web1, web2])
      const store = useServersStore()
      await store.load()

      emit('agent:heartbeat', beat(web1, '2026-11-22T08:01:00Z', 20, { server_id: undefined }))

      expect(store.items[0].last_seen).toBe('2026-11-22T08:01:00Z')
      expect(store.items[1]).toEqual(web2)
    })

    it('leaves a revoked server and unknown servers alone', async () => {
      const revoked = { ...web2, status: 'revoked' }
      Desk.ListServers.mockResolvedValue([web1, revoked])
      const store = useServersStore()
      await store.load()

      emit('agent:heartbeat', beat(revoked, '2026-11-22T08:00:00Z', 55))
      emit('agent:heartbeat', beat({ id: 99, uuid: 'uuid-nobody' }, '2026-11-22T08:00:00Z', 1))
      emit('agent:heartbeat', { id: 0, subject: 'uuid-web1' })

      expect(store.items).toEqual([web1, revoked])
      expect(Desk.ListServers).toHaveBeenCalledTimes(1)
    })

    it('patches the open detail too', async () => {
      Desk.ListServers.mockResolvedValue([web1])
      Desk.GetServer.mockResolvedValue(web1)
      const store = useServersStore()
      await store.load()
      await store.open('uuid-web1')

      emit('agent:heartbeat', beat(web1, '2026-11-22T08:02:00Z', 77))

      expect(store.current.metrics.cpu_percent).toBe(77)
      expect(Desk.GetServer).toHaveBeenCalledTimes(1)
    })
  })

  describe('detail', () => {
    it('shows what the list knows at once, then what GetServer says', async () => {
      Desk.ListServers.mockResolvedValue([web1])
      let answer
      Desk.GetServer.mockImplementation(() => new Promise((resolve) => (answer = resolve)))
      const store = useServersStore()
      await store.load()

      const opening = store.open('web1')
      expect(store.current).toEqual(web1)
      expect(Desk.GetServer).toHaveBeenCalledWith('web1')
      answer({ ...web1, version: '0.3.1' })
      await opening

      expect(store.current.version).toBe('0.3.1')
    })

    it('refetches the list and the open server on server:changed', async () => {
      Desk.ListServers.mockResolvedValue([web1])
      Desk.GetServer.mockResolvedValueOnce(web1).mockResolvedValueOnce({ ...web1, status: 'revoked' })
      const store = useServersStore()
      await store.open('uuid-web1')

      emit('server:changed', { id: 12, kind: 'server.revoked', subject: 'web1' })

      await vi.waitFor(() => expect(store.current.status).toBe('revoked'))
      expect(Desk.GetServer).toHaveBeenCalledTimes(2)
      expect(Desk.ListServers).toHaveBeenCalledTimes(1)
    })

    it('stops fetching the server once the page is closed', async () => {
      Desk.ListServers.mockResolvedValue([])
      Desk.GetServer.mockResolvedValue(web1)
      const store = useServersStore()
      await store.open('uuid-web1')
      store.close()

      emit('server:changed', { id: 13 })
      await vi.waitFor(() => expect(Desk.ListServers).toHaveBeenCalledTimes(1))

      expect(Desk.GetServer).toHaveBeenCalledTimes(1)
      expect(store.current).toBe(null)
    })

    it('keeps the error of a failed GetServer', async () => {
      Desk.GetServer.mockRejectedValue('get server "nope": not found')
      const store = useServersStore()
      await store.open('nope')
      expect(store.currentError).toBe('get server "nope": not found')
      expect(store.current).toBe(null)
    })
  })

  describe('actions', () => {
    it('revokes through RevokeServer and shows the revoked record at once', async () => {
      Desk.ListServers.mockResolvedValue([web1, web2])
      Desk.GetServer.mockResolvedValue(web1)
      const revoked = { ...web1, status: 'revoked', online: false, revoked_at: '2026-11-22T08:00:00Z' }
      Desk.RevokeServer.mockResolvedValue(revoked)
      const store = useServersStore()
      await store.load()
      await store.open('uuid-web1')

      const result = await store.revoke('uuid-web1')

      expect(Desk.RevokeServer).toHaveBeenCalledWith('uuid-web1')
      expect(result).toEqual({ ok: true, value: revoked, error: '' })
      expect(store.items[0].status).toBe('revoked')
      expect(store.current.status).toBe('revoked')
    })

    it('surfaces a refused revoke and changes nothing', async () => {
      Desk.ListServers.mockResolvedValue([web1])
      Desk.RevokeServer.mockRejectedValue('revoke server web1: database is locked')
      const store = useServersStore()
      await store.load()

      const result = await store.revoke('uuid-web1')

      expect(result).toEqual({ ok: false, value: null, error: 'revoke server web1: database is locked' })
      expect(store.items).toEqual([web1])
    })

    it('removes through RemoveServer and drops the server', async () => {
      Desk.ListServers.mockResolvedValue([web1, web2])
      Desk.GetServer.mockResolvedValue(web2)
      Desk.RemoveServer.mockResolvedValue(web2)
      const store = useServersStore()
      await store.load()
      await store.open('uuid-web2')

      const result = await store.remove('uuid-web2')

      expect(Desk.RemoveServer).toHaveBeenCalledWith('uuid-web2')
      expect(result.ok).toBe(true)
      expect(store.items).toEqual([web1])
    })

    it('surfaces a refused remove', async () => {
      Desk.RemoveServer.mockRejectedValue(new Error('remove server web2: jobs are running'))
      const store = useServersStore()
      const result = await store.remove('web2')
      expect(result).toEqual({ ok: false, value: null, error: 'remove server web2: jobs are running' })
    })

    it('creates an enrollment token with the name and ttl given', async () => {
      const token = { token: 't', name: 'web3', expires_at: '2026-11-22T09:00:00Z', install_command: 'curl …' }
      Desk.CreateEnrollmentToken.mockResolvedValue(token)
      const store = useServersStore()

      const result = await store.createEnrollmentToken('web3', '24h')

      expect(Desk.CreateEnrollmentToken).toHaveBeenCalledWith('web3', '24h')
      expect(result).toEqual({ ok: true, value: token, error: '' })
    })

    it('surfaces a refused token as Go sent it', async () => {
      Desk.CreateEnrollmentToken.mockRejectedValue('create token: a server named "web1" already exists')
      const store = useServersStore()
      const result = await store.createEnrollmentToken('web1', '1h')
      expect(result).toEqual({ ok: false, value: null, error: 'create token: a server named "web1" already exists' })
    })

    it('pings through PingServer and surfaces a silent agent', async () => {
      Desk.PingServer.mockResolvedValueOnce({ task_id: 3, echo: 'x', hostname: 'web1', round_trip_ms: 42 })
      Desk.PingServer.mockRejectedValueOnce('ping web1: the agent did not answer within 30s')
      const store = useServersStore()

      expect(await store.ping('uuid-web1')).toMatchObject({ ok: true, value: { round_trip_ms: 42 } })
      expect(await store.ping('uuid-web1')).toEqual({
        ok: false,
        value: null,
        error: 'ping web1: the agent did not answer within 30s',
      })
      expect(Desk.PingServer).toHaveBeenCalledWith('uuid-web1')
    })
  })
})
