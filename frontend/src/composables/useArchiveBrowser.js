import { computed, onMounted, watch } from 'vue'
import { storeToRefs } from 'pinia'
import { useRoute, useRouter } from 'vue-router'
import { ALL_SERVERS, useArchivesStore } from '@/stores/archives.js'
import { useServersStore } from '@/stores/servers.js'

// What the Archives and Restore pages share: the servers that can hold a
// repository (every enrolled one, revoked ones too: their archives stay),
// the one picked — from ?server=uuid (or ?server=* for all of them), else
// the last picked, else the first — and its archives, of one job when
// ?job= names it.
export function useArchiveBrowser() {
  const route = useRoute()
  const router = useRouter()
  const servers = useServersStore()
  const archives = useArchivesStore()
  const { items: serverItems, loaded: serversLoaded, error: serversError } = storeToRefs(servers)

  const choices = computed(() => serverItems.value.filter((s) => s.status !== 'pending' && s.uuid))
  const selected = computed({
    get: () => archives.server,
    set: (uuid) => router.replace({ query: { ...route.query, server: uuid } }),
  })

  const job = computed({
    get: () => String(route.query.job ?? ''),
    set: (name) => router.replace({ query: { ...route.query, job: name || undefined } }),
  })

  function pick() {
    const list = choices.value
    if (!list.length) return
    const wanted = [route.query.server, archives.server].find((uuid) => uuid === ALL_SERVERS || list.some((s) => s.uuid === uuid))
    if (wanted === ALL_SERVERS) return archives.select(ALL_SERVERS, list)
    archives.select(wanted ?? list[0].uuid)
  }

  // Once per visit, after the servers are known; then whenever ?server= changes.
  watch(() => route.query.server, pick)
  onMounted(async () => {
    await servers.load()
    pick()
  })

  const noServers = computed(() => serversLoaded.value && choices.value.length === 0)
  return { archives, servers, choices, selected, job, noServers, serversError }
}
