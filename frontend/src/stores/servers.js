import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import {
  CreateEnrollmentToken,
  GetServer,
  ListEnrollmentTokens,
  ListServers,
  PingServer,
  RemoveServer,
  RevokeEnrollmentToken,
  RevokeServer,
} from 'wailsjs/go/app/Desk.js'
import { AGENT_HEARTBEAT, SERVER_CHANGED } from '@/events.js'
import { isHeartbeatFor, matchesRef, pendingEnrolments, withHeartbeat } from '@/utils/servers.js'
import { coalesced, errorMessage, eventSubscription, outcome } from './bridge.js'

// The servers store holds the fleet list and the one server whose detail page
// is open. server:changed says that something changed but not what, so both
// are fetched again; agent:heartbeat carries its data and is patched in.
export const useServersStore = defineStore('servers', () => {
  const items = ref([])
  // Every enrollment token issued (ListEnrollmentTokens): the pending ones
  // are servers that may still enroll, listed with the others.
  const tokens = ref([])
  const loaded = ref(false)
  const loading = ref(false)
  const error = ref('')

  const currentRef = ref(null)
  const current = ref(null)
  const currentLoading = ref(false)
  const currentError = ref('')

  const pending = computed(() => pendingEnrolments(tokens.value, items.value))
  const isEmpty = computed(() => loaded.value && items.value.length === 0 && pending.value.length === 0)

  const fetchServers = coalesced(async () => {
    loading.value = true
    try {
      subscription.ensure()
      const [servers, issued] = await Promise.all([ListServers(), ListEnrollmentTokens()])
      items.value = servers ?? []
      tokens.value = issued ?? []
      loaded.value = true
      error.value = ''
    } catch (err) {
      error.value = errorMessage(err)
    } finally {
      loading.value = false
    }
  })

  // Reads currentRef on every run, so an answer for a page that was left in
  // the meantime is dropped.
  const fetchCurrent = coalesced(async () => {
    const wanted = currentRef.value
    if (wanted == null) return
    currentLoading.value = true
    try {
      subscription.ensure()
      const server = await GetServer(wanted)
      if (wanted !== currentRef.value) return
      current.value = server
      currentError.value = ''
    } catch (err) {
      if (wanted === currentRef.value) currentError.value = errorMessage(err)
    } finally {
      currentLoading.value = false
    }
  })

  // open makes ref the server of the detail page: what the list already knows
  // is shown at once, GetServer brings the rest.
  function open(ref) {
    const wanted = String(ref)
    if (currentRef.value !== wanted) {
      currentRef.value = wanted
      current.value = items.value.find((s) => matchesRef(s, wanted)) ?? null
      currentError.value = ''
    }
    return fetchCurrent()
  }

  function close() {
    currentRef.value = null
    current.value = null
    currentError.value = ''
  }

  function replace(server) {
    if (!server) return
    const i = items.value.findIndex((s) => s.id === server.id)
    if (i !== -1) items.value[i] = server
    if (current.value?.id === server.id) current.value = server
  }

  // The detail page that asked for a removal leaves by itself; clearing the
  // current server here would unmount it before it hears the answer.
  function drop(server) {
    if (!server) return
    items.value = items.value.filter((s) => s.id !== server.id)
  }

  // A heartbeat patches the server in place: it comes every few seconds per
  // server, and fetching the list for each would cost a query per beat.
  function applyHeartbeat(event) {
    if (!event?.data) return
    const i = items.value.findIndex((s) => isHeartbeatFor(s, event))
    if (i !== -1) items.value[i] = withHeartbeat(items.value[i], event.data)
    if (current.value && isHeartbeatFor(current.value, event)) {
      current.value = withHeartbeat(current.value, event.data)
    }
  }

  const subscription = eventSubscription([SERVER_CHANGED, AGENT_HEARTBEAT], (name, event) => {
    if (name === AGENT_HEARTBEAT) return applyHeartbeat(event)
    fetchServers()
    if (currentRef.value != null) fetchCurrent()
  })

  async function revoke(ref) {
    const result = await outcome(() => RevokeServer(ref))
    replace(result.value)
    return result
  }

  async function remove(ref) {
    const result = await outcome(() => RemoveServer(ref))
    drop(result.value)
    return result
  }

  function ping(ref) {
    return outcome(() => PingServer(ref))
  }

  // revokeToken withdraws the unused tokens of a pending server (by name or
  // token id); Go announces server:changed and the list follows.
  async function revokeToken(ref) {
    const result = await outcome(() => RevokeEnrollmentToken(String(ref)))
    if (result.ok) {
      const gone = new Set((result.value ?? []).map((t) => t.id))
      tokens.value = tokens.value.filter((t) => !gone.has(t.id))
    }
    return result
  }

  function createEnrollmentToken(name, ttl) {
    return outcome(() => CreateEnrollmentToken(name, ttl))
  }

  return {
    items,
    tokens,
    pending,
    loaded,
    loading,
    error,
    isEmpty,
    current,
    currentRef,
    currentLoading,
    currentError,
    load: fetchServers,
    open,
    close,
    reloadCurrent: fetchCurrent,
    revoke,
    remove,
    ping,
    createEnrollmentToken,
    revokeToken,
    stop: subscription.stop,
  }
})
