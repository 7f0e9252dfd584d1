import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount, flushPromises } from '@vue/test-utils'
import * as Desk from 'wailsjs/go/app/Desk.js'
import { resetRuntime } from '../fake-runtime.js'
import { mountWith, serverRecord } from '../mount.js'
import { useSettingsStore } from '@/stores/settings.js'
import { firstRunProgress } from '@/utils/firstRun.js'
import FirstRunSteps from '@/components/firstrun/FirstRunSteps.vue'
import GettingStarted from '@/components/firstrun/GettingStarted.vue'
import RolloutProgress from '@/components/servers/add/RolloutProgress.vue'
import DashboardPage from '@/pages/DashboardPage.vue'
import ServersPage from '@/pages/ServersPage.vue'

vi.mock('wailsjs/go/app/Desk.js', () => import('../fake-desk.js'))
vi.mock('wailsjs/runtime/runtime.js', () => import('../fake-runtime.js'))

const get = (wrapper, id) => wrapper.get(`[data-testid="${id}"]`)
const find = (wrapper, id) => wrapper.find(`[data-testid="${id}"]`)
const states = (wrapper, prefix) => ['server', 'job', 'restore'].map((n) => get(wrapper, `${prefix}-${n}`).attributes('data-state'))

enableAutoUnmount(afterEach)

describe('firstRunProgress', () => {
  it('walks server, job, restore', () => {
    expect(firstRunProgress({})).toEqual({ done: [false, false, false], current: 0, waiting: false })
    expect(firstRunProgress({ servers: 1 })).toMatchObject({ current: 1 })
    expect(firstRunProgress({ servers: 1, jobs: 2 })).toMatchObject({ current: 2, waiting: true })
    expect(firstRunProgress({ servers: 1, jobs: 2, backedUp: true })).toMatchObject({ current: 2, waiting: false })
    expect(firstRunProgress({ servers: 1, jobs: 2, backedUp: true, done: true }).current).toBe(-1)
    // Jobs without a server (all removed) do not count.
    expect(firstRunProgress({ servers: 0, jobs: 3 }).current).toBe(0)
  })
})

describe('FirstRunSteps', () => {
  it('marks the done steps, the current one, and the rest', async () => {
    const { wrapper } = await mountWith(FirstRunSteps, { props: { current: 1 } })
    expect(states(wrapper, 'first-run-step')).toEqual(['done', 'current', 'todo'])
    expect(get(wrapper, 'first-run-step-job').attributes('aria-current')).toBe('step')
    expect(get(wrapper, 'first-run-steps').attributes('aria-label')).toBe('Getting started')
    expect(get(wrapper, 'first-run-step-server').text()).toContain('(done)')
  })
})

describe('GettingStarted', () => {
  it('offers the next step with its button and explains it', async () => {
    const { wrapper } = await mountWith(GettingStarted, { props: { servers: 0, jobs: 0 } })
    expect(states(wrapper, 'guide-step')).toEqual(['current', 'todo', 'todo'])
    expect(get(wrapper, 'guide-add-server').attributes('href')).toContain('/servers?add=1')
    expect(get(wrapper, 'guide-step-server').text()).toContain('over SSH')
  })

  it('waits for a backup before offering the restore, then emits it', async () => {
    const { wrapper } = await mountWith(GettingStarted, { props: { servers: 1, jobs: 1, backedUp: false } })
    expect(states(wrapper, 'guide-step')).toEqual(['done', 'done', 'current'])
    expect(get(wrapper, 'guide-step-restore').text()).toContain('Once the job has run')
    expect(find(wrapper, 'guide-try-restore').exists()).toBe(false)
    await wrapper.setProps({ backedUp: true })
    await get(wrapper, 'guide-try-restore').trigger('click')
    expect(wrapper.emitted('restore')).toHaveLength(1)
    await get(wrapper, 'getting-started-hide').trigger('click')
    expect(wrapper.emitted('hide')).toHaveLength(1)
  })
})

describe('first run on the pages', () => {
  beforeEach(() => {
    resetRuntime()
    Desk.ListRuns.mockResolvedValue([])
    Desk.ListEvents.mockResolvedValue([])
    Desk.ListServers.mockResolvedValue([])
    Desk.GetHealth.mockResolvedValue(null)
    Desk.GetStorage.mockResolvedValue(null)
    Desk.SetSetting.mockResolvedValue(undefined)
  })

  it('the dashboard of an empty fleet shows the guide and the CLI way', async () => {
    Desk.Status.mockResolvedValue({ version: 't', data_dir: '/d', servers: 0, jobs: 0, runs_running: 0 })
    Desk.GetSettings.mockResolvedValue({})
    const { wrapper } = await mountWith(DashboardPage)
    const empty = get(wrapper, 'empty-dashboard')
    expect(empty.text()).toContain('Add your first server')
    expect(empty.text()).toContain('borgdesk token create --name web1')
    expect(find(wrapper, 'getting-started-hide').exists()).toBe(false)
  })

  it('a fleet with a backup offers a restore; opening Restore does not end the guide, a succeeded restore completes it', async () => {
    Desk.Status.mockResolvedValue({ version: 't', data_dir: '/d', servers: 1, jobs: 1, runs_running: 0 })
    Desk.GetSettings.mockResolvedValue({})
    Desk.ListRuns.mockResolvedValue([{ id: 1, job_id: 1, status: 'succeeded', started_at: '2026-11-22T07:00:00Z', finished_at: '2026-11-22T07:01:00Z' }])
    const { wrapper, router } = await mountWith(DashboardPage)
    await useSettingsStore().load()
    await flushPromises()
    expect(states(wrapper, 'guide-step')).toEqual(['done', 'done', 'current'])
    await get(wrapper, 'guide-try-restore').trigger('click')
    await flushPromises()
    expect(Desk.SetSetting).not.toHaveBeenCalled()
    expect(router.currentRoute.value.name).toBe('restore')
    expect(find(wrapper, 'getting-started').exists()).toBe(true)
  })

  it('a restore that succeeded completes the last step', async () => {
    Desk.Status.mockResolvedValue({ version: 't', data_dir: '/d', servers: 1, jobs: 1, runs_running: 0 })
    Desk.GetSettings.mockResolvedValue({})
    Desk.ListRuns.mockResolvedValue([{ id: 1, job_id: 1, status: 'succeeded', started_at: '2026-11-22T07:00:00Z', finished_at: '2026-11-22T07:01:00Z' }])
    Desk.ListTasks.mockResolvedValue([{ id: 4, type: 'restore', status: 'succeeded' }])
    const { wrapper } = await mountWith(DashboardPage)
    await useSettingsStore().load()
    await flushPromises()
    expect(states(wrapper, 'guide-step')).toEqual(['done', 'done', 'done'])
    expect(find(wrapper, 'guide-complete').exists()).toBe(true)
  })

  it('a guide once hidden stays hidden', async () => {
    Desk.Status.mockResolvedValue({ version: 't', data_dir: '/d', servers: 1, jobs: 0, runs_running: 0 })
    Desk.GetSettings.mockResolvedValue({ 'ui.guide_done': 'true' })
    const { wrapper } = await mountWith(DashboardPage)
    await useSettingsStore().load()
    await flushPromises()
    expect(find(wrapper, 'stat-servers').exists()).toBe(true)
    expect(find(wrapper, 'getting-started').exists()).toBe(false)
  })

  it('/servers?add=1 opens the Add server wizard and drops the query', async () => {
    Desk.ListServers.mockResolvedValue([serverRecord()])
    const { wrapper, router } = await mountWith(ServersPage, { path: '/servers?add=1', attach: true })
    await flushPromises()
    expect(document.body.querySelector('[data-testid="add-server-dialog"]')).not.toBeNull()
    expect(router.currentRoute.value.fullPath).toBe('/servers')
    wrapper.unmount()
  })

  it('the empty servers page shows where it sits on the path', async () => {
    const { wrapper } = await mountWith(ServersPage, { path: '/servers' })
    expect(states(wrapper, 'first-run-step')).toEqual(['current', 'todo', 'todo'])
  })
})

describe('the wizards say what happens next', () => {
  it('a finished rollout leads on to a backup job', async () => {
    const hosts = [{ host: 'web1.lan', port: 22, user: 'root', name: 'web1', step: 'done', status: 'done', message: '' }]
    const { wrapper } = await mountWith(RolloutProgress, { props: { hosts, finished: true } })
    expect(get(wrapper, 'rollout-next').text()).toContain('Next: choose what to back up.')
    await get(wrapper, 'rollout-new-job').trigger('click')
    expect(wrapper.emitted('newJob')).toHaveLength(1)
    await wrapper.setProps({ hosts: [{ ...hosts[0], status: 'failed', step: 'connecting' }] })
    expect(find(wrapper, 'rollout-next').exists()).toBe(false)
  })
})
