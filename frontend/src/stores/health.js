import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import { GetHealth } from 'wailsjs/go/app/Desk.js'
import { DRILL_CHANGED, RUN_PROGRESS, SERVER_CHANGED, SETTINGS_CHANGED } from '@/events.js'
import { byState, changesHealth, healthCounts } from '@/utils/health.js'
import { batched, coalesced, errorMessage, eventSubscription } from './bridge.js'

// Events within this window cost one GetHealth.
export const HEALTH_REFETCH_MS = 150

// The health store holds Go's rating of the fleet (GetHealth): one call for
// every server, so a fleet of 500 costs one round trip, never one per server.
// It is fetched again when a run finishes, a server or a drill changes, or a
// setting (an RPO) moves; heartbeats do not change it (server:changed says
// when an agent goes on- or offline).
export const useHealthStore = defineStore('health', () => {
  // shallowRef: 500 servers are replaced as a whole, never patched, so
  // making each deep-reactive would only cost time.
  const fleet = shallowRef(null)
  const loaded = ref(false)
  const error = ref('')

  const counts = computed(() => healthCounts(fleet.value))
  const servers = computed(() => byState(fleet.value?.servers))

  const fetchHealth = coalesced(async () => {
    try {
      subscription.ensure()
      fleet.value = (await GetHealth()) ?? null
      loaded.value = true
      error.value = ''
    } catch (err) {
      error.value = errorMessage(err)
    }
  })

  const refetch = batched(fetchHealth, HEALTH_REFETCH_MS)

  const subscription = eventSubscription(
    [RUN_PROGRESS, SERVER_CHANGED, DRILL_CHANGED, SETTINGS_CHANGED],
    (name, event) => {
      if (name === RUN_PROGRESS && !changesHealth(event)) return
      refetch()
    },
  )

  return { fleet, loaded, error, counts, servers, load: fetchHealth, stop: subscription.stop }
})
