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
  // key → Go's error for the last value refused there, shown by its field.
  const fieldErrors = ref({})

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
      if (fieldErrors.value[key]) {
        const { [key]: _, ...rest } = fieldErrors.value
        fieldErrors.value = rest
      }
      return true
    } catch (err) {
      const restored = { ...values.value }
      if (had) restored[key] = previous
      else delete restored[key]
      values.value = restored
      saveError.value = errorMessage(err)
      fieldErrors.value = { ...fieldErrors.value, [key]: saveError.value }
      return false
    }
  }

  // saveSecret stores a write-only value (the SMTP password): it is never
  // kept here, only the "<key>_set" flag Go reports with it.
  async function saveSecret(key, value) {
    try {
      await SetSetting(key, value)
      const { [key]: _, ...rest } = fieldErrors.value
      fieldErrors.value = rest
      values.value = { ...values.value, [key]: '', [`${key}_set`]: value ? 'true' : 'false' }
      return true
    } catch (err) {
      fieldErrors.value = { ...fieldErrors.value, [key]: errorMessage(err) }
      return false
    }
  }

  function get(key, fallback = '') {
    return values.value[key] ?? fallback
  }

  return { values, loaded, loadError, saveError, fieldErrors, load: fetchSettings, save, saveSecret, get, stop: subscription.stop }
})
