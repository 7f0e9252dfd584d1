import { describe, expect, it } from 'vitest'
import FlxMetaCard from '@/components/restore/flx/FlxMetaCard.vue'
import { mountWith } from '../mount.js'

const file = (meta) => ({ id: 'x', name: 'etc.flx', source: '/tmp/etc.flx', size: 100, inspection: { verified: true, meta, files: [] } })

describe('FlxMetaCard', () => {
  it('says who made a Borgdesk snapshot, not a FlexPBX version', async () => {
    const { wrapper } = await mountWith(FlxMetaCard, { props: { file: file({ version: '1', backup_type: 'system', producer: 'borgdesk-agent 0.3.1', flexpbx_version: 'borgdesk-agent 0.3.1' }) } })
    expect(wrapper.get('[data-testid="flx-producer"]').text()).toBe('borgdesk-agent 0.3.1')
    expect(wrapper.find('[data-testid="flx-flexpbx-version"]').exists()).toBe(false)
    expect(wrapper.text()).toContain('Made by')
  })

  it('shows the FlexPBX version of a snapshot FlexPBX made', async () => {
    const { wrapper } = await mountWith(FlxMetaCard, { props: { file: file({ version: '1', backup_type: 'system', producer: 'FlexPBX', flexpbx_version: '1.2.0' }) } })
    expect(wrapper.get('[data-testid="flx-flexpbx-version"]').text()).toBe('1.2.0')
  })
})
