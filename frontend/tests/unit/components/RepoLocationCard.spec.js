import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount, flushPromises } from '@vue/test-utils'
import * as Desk from 'wailsjs/go/app/Desk.js'
import { resetRuntime } from '../fake-runtime.js'
import { mountWith, serverRecord } from '../mount.js'
import { hostedRecord, nodeRecord } from '../target-records.js'
import RepoLocationCard from '@/components/servers/detail/RepoLocationCard.vue'

vi.mock('wailsjs/go/app/Desk.js', () => import('../fake-desk.js'))
vi.mock('wailsjs/runtime/runtime.js', () => import('../fake-runtime.js'))

const web1 = serverRecord()
const nas1 = serverRecord({ id: 3, uuid: 'uuid-nas1', name: 'nas1' })
const REFUSAL = 'conflict: web1 already has 4 archive(s) where its repository is now; they would stay behind — move the repository instead'

const byId = (wrapper, id) => wrapper.get(`[data-testid="${id}"]`)

async function mountCard(server = web1, repos = {}) {
  Desk.ListTargets.mockResolvedValue([nodeRecord(), hostedRecord({ status: 'pending' })])
  Desk.RepoTargets.mockResolvedValue(repos)
  const { wrapper } = await mountWith(RepoLocationCard, { props: { server }, attach: true })
  return wrapper
}

enableAutoUnmount(afterEach)

describe('Repository location', () => {
  beforeEach(() => resetRuntime())

  it('shows where the repository lives and every other place it can go', async () => {
    const wrapper = await mountCard()
    expect(byId(wrapper, 'repo-location-current').text()).toBe('This coordinator (data dir)')
    expect(byId(wrapper, 'repo-location-select').findAll('option').map((o) => o.text())).toEqual([
      'This coordinator (data dir)',
      'Storage node nas1 (10.0.0.9:2222)',
      'Hosted service box (u123@u123.your-storagebox.de:23), Pending',
    ])
    expect(byId(wrapper, 'repo-location-apply').attributes('disabled')).toBeDefined()
  })

  it('does not offer a storage node its own backups', async () => {
    const wrapper = await mountCard(nas1)
    expect(byId(wrapper, 'repo-location-select').findAll('option').map((o) => o.element.value)).toEqual(['local', 'box'])
  })

  it('moves the repository with Apply, not while choosing', async () => {
    const wrapper = await mountCard()
    await byId(wrapper, 'repo-location-select').setValue('nas1')
    expect(Desk.SetRepoTarget).not.toHaveBeenCalled()
    Desk.SetRepoTarget.mockResolvedValue(web1)
    Desk.RepoTargets.mockResolvedValue({ 1: 'nas1' })
    await byId(wrapper, 'repo-location-apply').trigger('click')
    await flushPromises()
    expect(Desk.SetRepoTarget).toHaveBeenCalledWith('uuid-web1', 'nas1')
    expect(byId(wrapper, 'repo-location-current').text()).toBe('Storage node nas1 (10.0.0.9:2222)')
    expect(byId(wrapper, 'repo-location-moved').text()).toBe('Backups of web1 now go to Storage node nas1 (10.0.0.9:2222).')
  })

  it('shows Go’s refusal for a server with archives and puts the choice back', async () => {
    const wrapper = await mountCard(web1, { 1: 'nas1' })
    await byId(wrapper, 'repo-location-select').setValue('local')
    Desk.SetRepoTarget.mockRejectedValue(REFUSAL)
    await byId(wrapper, 'repo-location-apply').trigger('click')
    await flushPromises()
    expect(Desk.SetRepoTarget).toHaveBeenCalledWith('uuid-web1', 'local')
    expect(byId(wrapper, 'repo-location-error').text()).toContain('move the repository instead')
    expect(byId(wrapper, 'repo-location-select').element.value).toBe('nas1')
  })

  it('only shows the place of a revoked server’s repository', async () => {
    const wrapper = await mountCard({ ...web1, status: 'revoked' })
    expect(wrapper.find('[data-testid="repo-location-select"]').exists()).toBe(false)
  })
})
