import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import { GetStorage } from 'wailsjs/go/app/Desk.js'
import { JOB_CHANGED } from '@/events.js'
import { totalSeries } from '@/utils/storage.js'
import { coalesced, errorMessage, eventSubscription } from './bridge.js'

// The storage store holds the repositories' sizes and their history
// (GetStorage). Go announces new sizes with a job:changed whose data says
// storage: true; other job changes leave the sizes alone.
export const useStorageStore = defineStore('storage', () => {
  const storage = shallowRef(null)
  const loaded = ref(false)
  const error = ref('')

  const growth = computed(() => totalSeries(storage.value?.servers))

  const fetchStorage = coalesced(async () => {
    try {
      subscription.ensure()
      storage.value = (await GetStorage()) ?? null
      loaded.value = true
      error.value = ''
    } catch (err) {
      error.value = errorMessage(err)
    }
  })

  const subscription = eventSubscription([JOB_CHANGED], (name, event) => {
    if (event?.data?.storage === true) fetchStorage()
  })

  return { storage, loaded, error, growth, load: fetchStorage, stop: subscription.stop }
})
