import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import { GetMetrics } from 'wailsjs/go/app/Desk.js'
import { AGENT_HEARTBEAT } from '@/events.js'
import { isHeartbeatFor } from '@/utils/servers.js'
import { METRIC_HOURS, appendPoint, pointFromHeartbeat } from '@/utils/metrics.js'
import { coalesced, errorMessage, eventSubscription } from './bridge.js'

// The metrics store holds the load history of the one server whose detail
// page is open: what Go stored (GetMetrics, a point per 5 minutes) and a
// live point for every agent:heartbeat of that server after it. Nothing is
// fetched for the other servers.
export const useMetricsStore = defineStore('metrics', () => {
  const server = ref(null) // { id, uuid }
  const hours = ref(METRIC_HOURS)
  const points = shallowRef([])
  const loaded = ref(false)
  const error = ref('')
  let counters = null

  const fetchMetrics = coalesced(async () => {
    const wanted = server.value
    if (!wanted) return
    try {
      subscription.ensure()
      const list = (await GetMetrics(wanted.uuid, hours.value)) ?? []
      if (wanted !== server.value) return
      points.value = list
      loaded.value = true
      error.value = ''
    } catch (err) {
      if (wanted === server.value) error.value = errorMessage(err)
    }
  })

  function applyHeartbeat(event) {
    if (!server.value || !isHeartbeatFor(server.value, event)) return
    const made = pointFromHeartbeat(event?.data?.metrics, event?.at, counters)
    counters = made.counters
    points.value = appendPoint(points.value, made.point, hours.value)
  }

  const subscription = eventSubscription([AGENT_HEARTBEAT], (name, event) => applyHeartbeat(event))

  // open makes s (a server record) the one whose metrics are kept.
  function open(s, wantedHours = METRIC_HOURS) {
    if (!s?.uuid) return Promise.resolve()
    if (server.value?.uuid !== s.uuid || hours.value !== wantedHours) {
      server.value = { id: s.id, uuid: s.uuid }
      hours.value = wantedHours
      points.value = []
      loaded.value = false
      error.value = ''
      counters = null
    }
    return fetchMetrics()
  }

  function close() {
    server.value = null
    points.value = []
    loaded.value = false
    error.value = ''
    counters = null
  }

  return { server, hours, points, loaded, error, open, close, reload: fetchMetrics, stop: subscription.stop }
})
