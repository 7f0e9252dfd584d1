import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { ListRuns } from 'wailsjs/go/app/Desk.js'
import { JOB_CHANGED, RUN_PROGRESS } from '@/events.js'
import { coalesced, errorMessage, eventSubscription } from './bridge.js'

export const RUNS_LIMIT = 200

// Run statuses that leave an archive behind in the repository. Until the Go
// side offers a ListArchives binding, the archive list is derived from them.
export const ARCHIVE_STATUSES = Object.freeze(['succeeded', 'warning'])

export const useRunsStore = defineStore('runs', () => {
  const items = ref([])
  const loaded = ref(false)
  const loading = ref(false)
  const error = ref('')

  const archives = computed(() => items.value.filter((r) => ARCHIVE_STATUSES.includes(r.status)))
  const isEmpty = computed(() => loaded.value && items.value.length === 0)

  const fetchRuns = coalesced(async () => {
    loading.value = true
    try {
      subscription.ensure()
      items.value = (await ListRuns(RUNS_LIMIT)) ?? []
      loaded.value = true
      error.value = ''
    } catch (err) {
      error.value = errorMessage(err)
    } finally {
      loading.value = false
    }
  })

  // A renamed or deleted job changes the job names shown beside its runs.
  const subscription = eventSubscription([RUN_PROGRESS, JOB_CHANGED], () => fetchRuns())

  return { items, archives, loaded, loading, error, isEmpty, load: fetchRuns, stop: subscription.stop }
})
