import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { ListEvents } from 'wailsjs/go/app/Desk.js'
import { LOGGED_EVENTS, NOTIFICATION } from '@/events.js'
import { coalesced, errorMessage, eventSubscription } from './bridge.js'

export const EVENTS_LIMIT = 50
export const TOAST_MS = 8000
const MAX_TOASTS = 4

export const useEventsStore = defineStore('events', () => {
  const items = ref([])
  const toasts = ref([])
  const loaded = ref(false)
  const loading = ref(false)
  const error = ref('')

  const isEmpty = computed(() => loaded.value && items.value.length === 0)

  const fetchEvents = coalesced(async () => {
    loading.value = true
    try {
      subscription.ensure()
      items.value = (await ListEvents(EVENTS_LIMIT)) ?? []
      loaded.value = true
      error.value = ''
    } catch (err) {
      error.value = errorMessage(err)
    } finally {
      loading.value = false
    }
  })

  // Every logged event Go emits is an already-persisted record, so the list
  // is patched in place instead of fetched again. A record without an id was
  // never persisted and does not belong in the log.
  function record(event) {
    if (!event?.id || items.value.some((e) => e.id === event.id)) return
    items.value = [event, ...items.value].slice(0, EVENTS_LIMIT)
  }

  function notify(event) {
    toasts.value = [...toasts.value, event].slice(-MAX_TOASTS)
    setTimeout(() => dismiss(event.id), TOAST_MS)
  }

  function dismiss(id) {
    toasts.value = toasts.value.filter((t) => t.id !== id)
  }

  // The dashboard's notice of runs agents made while Borgdesk was closed
  // stays until dismissed; a later delivery (a higher id) shows it again.
  const offlineSeen = ref(0)
  function dismissOffline(upTo) {
    offlineSeen.value = Math.max(offlineSeen.value, Number(upTo) || 0)
  }

  const subscription = eventSubscription(LOGGED_EVENTS, (name, event) => {
    record(event)
    if (name === NOTIFICATION && event) notify(event)
  })

  // start subscribes without loading, so notifications reach the user on
  // every page, not only after the dashboard was opened.
  function start() {
    try {
      subscription.ensure()
    } catch (err) {
      error.value = errorMessage(err)
    }
  }

  return {
    items,
    toasts,
    loaded,
    loading,
    error,
    isEmpty,
    load: fetchEvents,
    start,
    dismiss,
    offlineSeen,
    dismissOffline,
    stop: subscription.stop,
  }
})
