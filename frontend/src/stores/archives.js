import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { ListArchives } from 'wailsjs/go/app/Desk.js'
import { JOB_CHANGED, RUN_PROGRESS } from '@/events.js'
import { parseArchiveTime } from '@/utils/runs.js'
import { coalesced, errorMessage, eventSubscription } from './bridge.js'

// Runs that end with these statuses leave a new archive behind.
const ARCHIVING = ['succeeded', 'warning']

// The archives store lists the archives of one server's repository, the
// one picked on the Archives or Restore page, newest first. Listing runs
// borg on the coordinator, so it is fetched again only when an event says
// that server's repository changed: a backup finished or a prune ran.
export const useArchivesStore = defineStore('archives', () => {
  const server = ref('')
  const items = ref([])
  const loaded = ref(false)
  const loading = ref(false)
  const error = ref('')

  const isEmpty = computed(() => loaded.value && items.value.length === 0)

  const fetchArchives = coalesced(async () => {
    const wanted = server.value
    if (!wanted) return
    loading.value = true
    try {
      subscription.ensure()
      const list = (await ListArchives(wanted)) ?? []
      if (wanted !== server.value) return
      items.value = list
        .map((a) => ({ ...a, date: parseArchiveTime(a.time) }))
        .sort((a, b) => (b.date?.getTime() ?? 0) - (a.date?.getTime() ?? 0))
      loaded.value = true
      error.value = ''
    } catch (err) {
      if (wanted === server.value) error.value = errorMessage(err)
    } finally {
      loading.value = false
    }
  })

  // Events name the server by uuid in their subject; an event without one
  // may concern any server.
  const subscription = eventSubscription([RUN_PROGRESS, JOB_CHANGED], (name, event) => {
    if (!server.value || !event?.id) return
    if (event.subject && event.subject !== server.value) return
    if (name === RUN_PROGRESS && !ARCHIVING.includes(event.data?.status)) return
    fetchArchives()
  })

  // select makes ref (a server uuid) the server whose archives are listed.
  function select(ref) {
    const wanted = String(ref ?? '')
    if (wanted !== server.value) {
      server.value = wanted
      items.value = []
      loaded.value = false
      error.value = ''
    }
    return fetchArchives()
  }

  return { server, items, loaded, loading, error, isEmpty, select, load: fetchArchives, stop: subscription.stop }
})
