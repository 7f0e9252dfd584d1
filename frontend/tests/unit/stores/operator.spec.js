import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import * as Desk from 'wailsjs/go/app/Desk.js'
import { emit, resetRuntime } from '../fake-runtime.js'
import { HEALTH_REFETCH_MS, useHealthStore } from '@/stores/health.js'
import { useStorageStore } from '@/stores/storage.js'
import { useMetricsStore } from '@/stores/metrics.js'
import { useMailStore } from '@/stores/mail.js'
import { useSettingsStore } from '@/stores/settings.js'

vi.mock('wailsjs/go/app/Desk.js', () => import('../fake-desk.js'))
vi.mock('wailsjs/runtime/runtime.js', () => import('../fake-runtime.js'))

const flush = () => new Promise((r) => setTimeout(r, 0))

describe('health store', () => {
  beforeEach(() => {
    resetRuntime()
    setActivePinia(createPinia())
  })

  it('loads GetHealth and sorts the worst first', async () => {
    Desk.GetHealth.mockResolvedValue({ state: 'red', red: 1, amber: 0, green: 1, servers: [{ name: 'a', state: 'green' }, { name: 'b', state: 'red' }] })
    const store = useHealthStore()
    await store.load()
    expect(store.counts).toEqual({ red: 1, amber: 0, green: 1 })
    expect(store.servers.map((s) => s.name)).toEqual(['b', 'a'])
  })

  it('refetches once for a burst of finished runs, never for live progress or a started run', async () => {
    vi.useFakeTimers()
    try {
      Desk.GetHealth.mockResolvedValue({ state: 'green', servers: [] })
      const store = useHealthStore()
      await store.load()
      emit('run:progress', { id: 0, data: { run_id: 1, status: 'running', files: 3 } })
      emit('run:progress', { id: 7, data: { run_id: 1, status: 'running' } })
      await vi.advanceTimersByTimeAsync(HEALTH_REFETCH_MS * 2)
      expect(Desk.GetHealth).toHaveBeenCalledTimes(1)

      for (let i = 0; i < 5; i++) emit('run:progress', { id: 10 + i, data: { run_id: i, status: 'failed' } })
      emit('server:changed', { id: 20 })
      emit('settings:changed', { id: 21 })
      await vi.advanceTimersByTimeAsync(HEALTH_REFETCH_MS * 2)
      expect(Desk.GetHealth).toHaveBeenCalledTimes(2)
    } finally {
      vi.useRealTimers()
    }
  })

  it('keeps the error Go sent', async () => {
    Desk.GetHealth.mockRejectedValue('health: database is locked')
    const store = useHealthStore()
    await store.load()
    expect(store.error).toBe('health: database is locked')
  })
})

describe('storage store', () => {
  beforeEach(() => {
    resetRuntime()
    setActivePinia(createPinia())
  })

  it('refetches only for job:changed with storage: true', async () => {
    Desk.GetStorage.mockResolvedValue({ forecast_full_at: '', servers: [{ uuid: 'a', history: [{ at: '2026-11-01T00:00:00Z', bytes: 5 }] }] })
    const store = useStorageStore()
    await store.load()
    expect(store.growth).toEqual([{ x: Date.parse('2026-11-01T00:00:00Z'), y: 5 }])
    emit('job:changed', { id: 3, data: { job_id: 1 } })
    await flush()
    expect(Desk.GetStorage).toHaveBeenCalledTimes(1)
    emit('job:changed', { id: 4, data: { storage: true } })
    await flush()
    expect(Desk.GetStorage).toHaveBeenCalledTimes(2)
  })
})

describe('metrics store', () => {
  beforeEach(() => {
    resetRuntime()
    setActivePinia(createPinia())
  })

  it("loads the open server's history and appends its heartbeats only", async () => {
    Desk.GetMetrics.mockResolvedValue([{ at: '2026-11-22T07:55:00Z', cpu_percent: 5 }])
    const store = useMetricsStore()
    await store.open({ id: 1, uuid: 'u1' }, 24)
    expect(Desk.GetMetrics).toHaveBeenCalledWith('u1', 24)
    emit('agent:heartbeat', { id: 0, at: '2026-11-22T08:00:00Z', subject: 'u1', data: { server_id: 1, metrics: { collected_at: '2026-11-22T08:00:00Z', cpu_percent: 9 } } })
    emit('agent:heartbeat', { id: 0, at: '2026-11-22T08:00:00Z', subject: 'u2', data: { server_id: 2, metrics: { collected_at: '2026-11-22T08:00:00Z', cpu_percent: 50 } } })
    expect(store.points.map((p) => p.cpu_percent)).toEqual([5, 9])
    store.close()
    emit('agent:heartbeat', { id: 0, at: '2026-11-22T08:00:10Z', subject: 'u1', data: { server_id: 1, metrics: { collected_at: '2026-11-22T08:00:10Z', cpu_percent: 9 } } })
    expect(store.points).toEqual([])
  })
})

describe('mail store', () => {
  beforeEach(() => {
    resetRuntime()
    setActivePinia(createPinia())
  })

  it("answers the test with Go's sentence or its error, and reads the outbox again", async () => {
    Desk.GetMailStatus.mockResolvedValue({ pending: 0, sent: 1 })
    Desk.SendTestEmail.mockResolvedValueOnce('queued to a@b; delivered').mockRejectedValueOnce('smtp: 535 authentication failed')
    const store = useMailStore()
    expect(await store.sendTest()).toEqual({ ok: true, value: 'queued to a@b; delivered', error: '' })
    expect(await store.sendTest()).toEqual({ ok: false, value: null, error: 'smtp: 535 authentication failed' })
    await flush()
    expect(Desk.GetMailStatus).toHaveBeenCalled()
    const calls = Desk.GetMailStatus.mock.calls.length
    emit('notification', { id: 9 })
    await flush()
    expect(Desk.GetMailStatus.mock.calls.length).toBe(calls + 1)
  })
})

describe('settings store: field errors and secrets', () => {
  beforeEach(() => {
    resetRuntime()
    setActivePinia(createPinia())
  })

  it('keeps a refusal by its key and clears it once a value is stored', async () => {
    Desk.SetSetting.mockRejectedValueOnce('set setting smtp.port: invalid value "x"').mockResolvedValueOnce(undefined)
    const store = useSettingsStore()
    expect(await store.save('smtp.port', 'x')).toBe(false)
    expect(store.fieldErrors).toEqual({ 'smtp.port': 'set setting smtp.port: invalid value "x"' })
    expect(await store.save('smtp.port', '25')).toBe(true)
    expect(store.fieldErrors).toEqual({})
  })

  it('never keeps a write-only value, only its _set flag', async () => {
    Desk.SetSetting.mockResolvedValue(undefined)
    const store = useSettingsStore()
    expect(await store.saveSecret('smtp.password', 'hunter2')).toBe(true)
    expect(Desk.SetSetting).toHaveBeenCalledWith('smtp.password', 'hunter2')
    expect(store.values['smtp.password']).toBe('')
    expect(store.values['smtp.password_set']).toBe('true')
    expect(JSON.stringify(store.values)).not.toContain('hunter2')
  })
})
