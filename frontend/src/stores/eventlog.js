import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { ListEvents } from 'wailsjs/go/app/Desk.js'
import { LOGGED_EVENTS } from '@/events.js'
import { coalesced, errorMessage, eventSubscription } from './bridge.js'

// How many events the Events page asks for at first and each "Load more"
// adds; Go answers at most EVENTS_MAX at once (service.clampLimit).
export const EVENTS_PAGE = 100
export const EVENTS_MAX = 1000

// The event log store feeds the Events page: the newest events, newest
// first, in a window that "Load more" widens; every logged event Go emits
// is already persisted, so it is added in place as it comes.
export const useEventLogStore = defineStore('eventlog', () => {
  const items = ref([])
  const limit = ref(EVENTS_PAGE)
  const loaded = ref(false)
  const loading = ref(false)
  const error = ref('')

  // More exist when Go filled the window and may hold older ones.
  const hasMore = computed(() => items.value.length >= limit.value && limit.value < EVENTS_MAX)
  const atMax = computed(() => items.value.length >= EVENTS_MAX)

  const fetch = coalesced(async () => {
    loading.value = true
    try {
      subscription.ensure()
      items.value = (await ListEvents(limit.value)) ?? []
      loaded.value = true
      error.value = ''
    } catch (err) {
      error.value = errorMessage(err)
    } finally {
      loading.value = false
    }
  })

  function load() {
    return fetch()
  }

  // more widens the window by a page and fetches it again.
  function more() {
    limit.value = Math.min(limit.value + EVENTS_PAGE, EVENTS_MAX)
    return fetch()
  }

  const subscription = eventSubscription(LOGGED_EVENTS, (_name, event) => {
    if (!event?.id || items.value.some((e) => e.id === event.id)) return
    items.value = [event, ...items.value].slice(0, limit.value)
  })

  return { items, limit, loaded, loading, error, hasMore, atMax, load, more, stop: subscription.stop }
})
