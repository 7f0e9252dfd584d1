import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { ExportRecoveryKit, GetRecoveryKitStatus } from 'wailsjs/go/app/Desk.js'
import { RECOVERY_EXPORTED, SERVER_CHANGED, SETTINGS_CHANGED } from '@/events.js'
import { coalesced, errorMessage, eventSubscription, outcome } from './bridge.js'

// The recovery store knows when the last recovery kit was made and whether
// the fleet changed since (GetRecoveryKitStatus), and makes a new one. A
// server enrolled or removed, a setting (a password) or a kit made elsewhere
// (the CLI) can change that, so those events read the status again.
export const useRecoveryStore = defineStore('recovery', () => {
  const status = ref(null)
  const error = ref('')

  const fetchStatus = coalesced(async () => {
    try {
      subscription.ensure()
      status.value = (await GetRecoveryKitStatus()) ?? null
      error.value = ''
    } catch (err) {
      error.value = errorMessage(err)
    }
  })

  const subscription = eventSubscription([RECOVERY_EXPORTED, SERVER_CHANGED, SETTINGS_CHANGED], () => fetchStatus())

  // never: no kit was ever made; outdated: the last one lacks something.
  const never = computed(() => status.value != null && !status.value.last_export)
  const outdated = computed(() => Boolean(status.value?.last_export && status.value.stale))

  // exportKit asks Go to save a kit (Go opens the save dialog). It resolves
  // to {ok, value, error, cancelled}; cancelled when no file was chosen.
  async function exportKit(passphrase) {
    const result = await outcome(() => ExportRecoveryKit(passphrase))
    const cancelled = result.ok && !result.value?.path
    if (result.ok && !cancelled) fetchStatus()
    return { ...result, cancelled }
  }

  return { status, error, never, outdated, load: fetchStatus, exportKit, stop: subscription.stop }
})
