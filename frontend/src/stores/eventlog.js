import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { ExportEvents, QueryEvents } from 'wailsjs/go/app/Desk.js'
import { LOGGED_EVENTS } from '@/events.js'
import { coalesced, errorMessage, eventSubscription, outcome } from './bridge.js'

// How many events a page holds. Go reads each page by keyset (older than
// an id), so page 1,000 costs what page 1 does and the DOM only ever holds
// one page.
export const EVENTS_PAGE = 100

// Severities, mildest first; a filter keeps its own and the worse ones.
export const SEVERITIES = Object.freeze(['info', 'warning', 'error'])

export const EMPTY_FILTERS = Object.freeze({ server: '', job: '', kind: '', severity: '', from: '', until: '', search: '' })

// localToISO turns a datetime-local value ("2026-11-22T08:00", the
// operator's time) into the UTC time Go reads; '' stays ''.
export function localToISO(value) {
  if (!value) return ''
  const d = new Date(value)
  return Number.isNaN(d.getTime()) ? '' : d.toISOString().replace(/\.\d{3}Z$/, 'Z')
}

// toQuery is Go's events.Query for the filters (server and job by id).
export function toQuery(f, before = 0, limit = EVENTS_PAGE) {
  const q = { limit }
  if (f.server) q.server = String(f.server)
  if (f.job) q.job = String(f.job)
  if (f.kind) q.kinds = [f.kind]
  if (f.severity) q.severity = f.severity
  if (f.from) q.from = localToISO(f.from)
  if (f.until) q.until = localToISO(f.until)
  if (f.search.trim()) q.search = f.search.trim()
  if (before) q.before = before
  return q
}

// matches says whether a live event belongs in the list the filters
// select, as Go's query would decide.
export function matches(f, ev) {
  if (f.server && Number(ev.server_id) !== Number(f.server)) return false
  if (f.job && Number(ev.job_id) !== Number(f.job)) return false
  if (f.kind && ev.kind !== f.kind) return false
  if (f.severity && SEVERITIES.indexOf(ev.severity || 'info') < SEVERITIES.indexOf(f.severity)) return false
  const at = Date.parse(ev.at)
  if (f.from && at < Date.parse(localToISO(f.from))) return false
  if (f.until && at >= Date.parse(localToISO(f.until))) return false
  const words = f.search.trim().toLowerCase()
  if (words && !`${ev.message ?? ''}\n${ev.subject ?? ''}`.toLowerCase().includes(words)) return false
  return true
}

// The event log store feeds the Events page: one page of the history the
// filters select, newest first. "Older" and "Newer" move by Go's keyset
// cursor; a filter change starts again at the newest page. A logged event
// Go announces joins the top of the newest page when it matches.
export const useEventLogStore = defineStore('eventlog', () => {
  const filters = ref({ ...EMPTY_FILTERS })
  const items = ref([])
  // cursors[i] is the "before" of page i+1 (0: the newest); next is the
  // cursor of the page after this one (0: this is the oldest).
  const cursors = ref([0])
  const next = ref(0)
  const loaded = ref(false)
  const loading = ref(false)
  const error = ref('')
  const exporting = ref('')
  const exported = ref({ path: '', error: '' })

  const page = computed(() => cursors.value.length)
  const hasOlder = computed(() => next.value > 0)
  const hasNewer = computed(() => cursors.value.length > 1)
  const filtered = computed(() => Object.entries(filters.value).some(([k, v]) => String(v).trim() !== EMPTY_FILTERS[k]))

  const fetch = coalesced(async () => {
    loading.value = true
    try {
      subscription.ensure()
      const p = await QueryEvents(toQuery(filters.value, cursors.value.at(-1)))
      items.value = p?.events ?? []
      next.value = p?.next ?? 0
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

  // setFilters changes some filters and shows the newest page they select.
  function setFilters(patch) {
    filters.value = { ...filters.value, ...patch }
    cursors.value = [0]
    return fetch()
  }

  function clearFilters() {
    return setFilters({ ...EMPTY_FILTERS })
  }

  function older() {
    if (!next.value) return Promise.resolve()
    cursors.value = [...cursors.value, next.value]
    return fetch()
  }

  function newer() {
    if (cursors.value.length < 2) return Promise.resolve()
    cursors.value = cursors.value.slice(0, -1)
    return fetch()
  }

  function newest() {
    cursors.value = [0]
    return fetch()
  }

  // exportAs writes every event the filters select (not only this page) as
  // csv or json where the operator chooses; Go answers the path ('' when
  // the operator cancelled).
  async function exportAs(format) {
    exporting.value = format
    const r = await outcome(() => ExportEvents(toQuery(filters.value, 0, 0), format))
    exporting.value = ''
    exported.value = { path: r.ok ? r.value || '' : '', error: r.error }
    return r
  }

  const subscription = eventSubscription(LOGGED_EVENTS, (_name, event) => {
    if (!event?.id || page.value !== 1 || items.value.some((e) => e.id === event.id)) return
    if (!matches(filters.value, event)) return
    const grown = [event, ...items.value]
    // The event pushed off the page heads the next one.
    if (grown.length > EVENTS_PAGE) next.value = grown[EVENTS_PAGE - 1].id
    items.value = grown.slice(0, EVENTS_PAGE)
  })

  return {
    filters,
    items,
    next,
    page,
    loaded,
    loading,
    error,
    exporting,
    exported,
    hasOlder,
    hasNewer,
    filtered,
    load,
    setFilters,
    clearFilters,
    older,
    newer,
    newest,
    exportAs,
    stop: subscription.stop,
  }
})
