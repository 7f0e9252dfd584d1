import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { ListJobs } from 'wailsjs/go/app/Desk.js'
import { JOB_CHANGED } from '@/events.js'
import { coalesced, errorMessage, eventSubscription } from './bridge.js'

export const useJobsStore = defineStore('jobs', () => {
  const items = ref([])
  const loaded = ref(false)
  const loading = ref(false)
  const error = ref('')

  const isEmpty = computed(() => loaded.value && items.value.length === 0)

  const fetchJobs = coalesced(async () => {
    loading.value = true
    try {
      subscription.ensure()
      items.value = (await ListJobs()) ?? []
      loaded.value = true
      error.value = ''
    } catch (err) {
      error.value = errorMessage(err)
    } finally {
      loading.value = false
    }
  })

  const subscription = eventSubscription([JOB_CHANGED], () => fetchJobs())

  return { items, loaded, loading, error, isEmpty, load: fetchJobs, stop: subscription.stop }
})
