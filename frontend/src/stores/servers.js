import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { ListServers } from 'wailsjs/go/app/Desk.js'
import { SERVER_CHANGED } from '@/events.js'
import { coalesced, errorMessage, eventSubscription } from './bridge.js'

export const useServersStore = defineStore('servers', () => {
  const items = ref([])
  const loaded = ref(false)
  const loading = ref(false)
  const error = ref('')

  const isEmpty = computed(() => loaded.value && items.value.length === 0)

  const fetchServers = coalesced(async () => {
    loading.value = true
    try {
      subscription.ensure()
      items.value = (await ListServers()) ?? []
      loaded.value = true
      error.value = ''
    } catch (err) {
      error.value = errorMessage(err)
    } finally {
      loading.value = false
    }
  })

  // The event says which server changed but not its new state: fetch the list.
  const subscription = eventSubscription([SERVER_CHANGED], () => fetchServers())

  return { items, loaded, loading, error, isEmpty, load: fetchServers, stop: subscription.stop }
})
