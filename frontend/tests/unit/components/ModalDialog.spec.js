import { afterEach, describe, expect, it } from 'vitest'
import { enableAutoUnmount, mount } from '@vue/test-utils'
import { defineComponent, nextTick, ref } from 'vue'
import { createAppI18n } from '@/i18n.js'
import ModalDialog from '@/components/common/ModalDialog.vue'

// A page with a button that opens a dialog holding a field and two buttons.
const Host = defineComponent({
  components: { ModalDialog },
  setup() {
    const open = ref(false)
    return { open }
  },
  template: `
    <button id="opener" @click="open = true">open</button>
    <ModalDialog :open="open" title="Dialog" description="Words" data-testid="dlg" @close="open = false">
      <input id="field" />
      <template #footer><button id="last">ok</button></template>
    </ModalDialog>`,
})

// A dialog whose button opens a confirmation on top of it.
const Nested = defineComponent({
  components: { ModalDialog },
  setup() {
    const outer = ref(true)
    const inner = ref(false)
    return { outer, inner }
  },
  template: `
    <ModalDialog :open="outer" title="Outer" data-testid="outer" @close="outer = false">
      <button id="ask" @click="inner = true">ask</button>
      <ModalDialog :open="inner" title="Inner" data-testid="inner" @close="inner = false">
        <button id="no">no</button>
        <template #footer><button id="yes">yes</button></template>
      </ModalDialog>
    </ModalDialog>`,
})

const press = (key, shiftKey = false) =>
  document.activeElement.dispatchEvent(new KeyboardEvent('keydown', { key, shiftKey, bubbles: true, cancelable: true }))

enableAutoUnmount(afterEach)

describe('ModalDialog', () => {
  async function openHost() {
    const wrapper = mount(Host, { attachTo: document.body, global: { plugins: [createAppI18n('en')] } })
    const opener = wrapper.get('#opener')
    opener.element.focus()
    await opener.trigger('click')
    await nextTick()
    await nextTick()
    return wrapper
  }

  it('is an aria-modal dialog labelled and described by its texts', async () => {
    const wrapper = await openHost()
    const dialog = wrapper.get('[role="dialog"]')
    expect(dialog.attributes('data-testid')).toBe('dlg')
    expect(dialog.attributes('aria-modal')).toBe('true')
    expect(document.getElementById(dialog.attributes('aria-labelledby')).textContent.trim()).toBe('Dialog')
    expect(document.getElementById(dialog.attributes('aria-describedby')).textContent.trim()).toBe('Words')
  })

  it('focuses the first field and keeps Tab inside', async () => {
    const wrapper = await openHost()
    expect(document.activeElement.id).toBe('field')

    wrapper.get('#last').element.focus()
    press('Tab')
    expect(document.activeElement.getAttribute('data-testid')).toBe('dialog-close')
    press('Tab', true)
    expect(document.activeElement.id).toBe('last')
  })

  it('closes on Escape and gives focus back to the opener', async () => {
    const wrapper = await openHost()
    press('Escape')
    await nextTick()
    expect(wrapper.find('[role="dialog"]').exists()).toBe(false)
    expect(document.activeElement.id).toBe('opener')
  })

  it('lets a dialog opened on top of another have the keys until it closes', async () => {
    const wrapper = mount(Nested, { attachTo: document.body, global: { plugins: [createAppI18n('en')] } })
    await nextTick()
    await nextTick()
    const ask = wrapper.get('#ask')
    ask.element.focus()
    await ask.trigger('click')
    await nextTick()
    await nextTick()
    const inner = wrapper.get('[data-testid="inner"]')
    expect(inner.element.contains(document.activeElement)).toBe(true)

    // Tab stays inside the inner dialog, from its last element to its first.
    wrapper.get('#yes').element.focus()
    press('Tab')
    expect(inner.element.contains(document.activeElement)).toBe(true)

    press('Escape')
    await nextTick()
    expect(wrapper.find('[data-testid="inner"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="outer"]').exists()).toBe(true)
    expect(document.activeElement.id).toBe('ask')

    press('Escape')
    await nextTick()
    expect(wrapper.find('[data-testid="outer"]').exists()).toBe(false)
  })
})
