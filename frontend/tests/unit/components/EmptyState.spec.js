import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import EmptyState from '@/components/common/EmptyState.vue'

describe('EmptyState', () => {
  it('shows the title and text it is given', () => {
    const wrapper = mount(EmptyState, { props: { icon: 'server', title: 'No servers yet', text: 'Enroll one.' } })
    expect(wrapper.get('[data-testid="empty-state-title"]').text()).toBe('No servers yet')
    expect(wrapper.get('[data-testid="empty-state-text"]').text()).toBe('Enroll one.')
    expect(wrapper.get('[data-testid="empty-state-icon"] svg').html()).toContain('<rect')
  })

  it('has no hint or action area when none is given', () => {
    const wrapper = mount(EmptyState, { props: { title: 't', text: 'x' } })
    expect(wrapper.find('[data-testid="empty-state-hint"]').exists()).toBe(false)
    expect(wrapper.findAll('button, a')).toHaveLength(0)
  })

  it('renders the icon, title, text and hint slots in place of the props', () => {
    const wrapper = mount(EmptyState, {
      props: { title: 'prop title', text: 'prop text' },
      slots: {
        icon: '<i class="custom-icon" />',
        title: 'Slot title',
        text: 'Slot text',
        hint: '<code>borgdesk token create --name web1</code>',
        actions: '<button>Go</button>',
      },
    })
    expect(wrapper.find('.custom-icon').exists()).toBe(true)
    expect(wrapper.get('[data-testid="empty-state-title"]').text()).toBe('Slot title')
    expect(wrapper.get('[data-testid="empty-state-text"]').text()).toBe('Slot text')
    expect(wrapper.get('[data-testid="empty-state-hint"]').text()).toBe('borgdesk token create --name web1')
    expect(wrapper.get('button').text()).toBe('Go')
    expect(wrapper.text()).not.toContain('prop title')
  })

  it('passes a data-testid through to its root', () => {
    const wrapper = mount(EmptyState, { props: { title: 't' }, attrs: { 'data-testid': 'empty-jobs' } })
    expect(wrapper.attributes('data-testid')).toBe('empty-jobs')
  })
})
