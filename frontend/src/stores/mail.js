import { defineStore } from 'pinia'
import { ref } from 'vue'
import { DigestNow, GetMailStatus, SendTestEmail } from 'wailsjs/go/app/Desk.js'
import { NOTIFICATION, SETTINGS_CHANGED } from '@/events.js'
import { coalesced, errorMessage, eventSubscription, outcome } from './bridge.js'

// The mail store holds the outbox's state (GetMailStatus) and sends the test
// e-mail. Every alert is announced as a notification event and goes through
// the outbox, so the status is read again then, and when the settings change
// (a new SMTP server may deliver what was waiting).
export const useMailStore = defineStore('mail', () => {
  const status = ref(null)
  const error = ref('')

  const fetchStatus = coalesced(async () => {
    try {
      subscription.ensure()
      status.value = (await GetMailStatus()) ?? null
      error.value = ''
    } catch (err) {
      error.value = errorMessage(err)
    }
  })

  const subscription = eventSubscription([NOTIFICATION, SETTINGS_CHANGED], () => fetchStatus())

  // sendTest resolves to {ok, value: Go's sentence, error: the SMTP error}.
  async function sendTest() {
    const result = await outcome(() => SendTestEmail())
    fetchStatus()
    return result
  }

  // digest shows (send false) or queues the digest of the last day or
  // week; it resolves to {ok, value: Go's service.Digest, error}.
  async function digest({ weekly = false, send = false } = {}) {
    const result = await outcome(() => DigestNow(weekly, send))
    if (send) fetchStatus()
    return result
  }

  return { status, error, load: fetchStatus, sendTest, digest, stop: subscription.stop }
})
