import { defineStore } from 'pinia'
import { ref } from 'vue'
import { GetSettings, SetSetting } from 'wailsjs/go/app/Desk.js'
import { SETTINGS_CHANGED } from '@/events.js'
import { coalesced, errorMessage, eventSubscription } from './bridge.js'

export const useSettingsStore = defineStore('settings', () => {
  const values = ref({})
  const loaded = ref(false)
  const loadError = ref('')
  const saveError = ref('')

  const fetchSettings = coalesced(async () => {
    try {
      subscription.ensure()
      values.value = (await GetSettings()) ?? {}
      loaded.value = true
      loadError.value = ''
    } catch (err) {
      loadError.value = errorMessage(err)
    }
  })

  const subscription = eventSubscription([SETTINGS_CHANGED], () => fetchSettings())

  // save shows the new value at once and puts the old one back if Go refuses
  // it. It resolves to whether the value was stored.
  async function save(key, value) {
    const had = Object.hasOwn(values.value, key)
    const previous = values.value[key]
    values.value = { ...values.value, [key]: value }
    try {
      await SetSetting(key, value)
      saveError.value = ''
      return true
    } catch (err) {
      const restored = { ...values.value }
      if (had) restored[key] = previous
      else delete restored[key]
      values.value = restored
      saveError.value = errorMessage(err)
      return false
    }
  }

  function get(key, fallback = '') {
    return values.value[key] ?? fallback
  }

  return { values, loaded, loadError, saveError, load: fetchSettings, save, get, stop: subscription.stop }
})
