import { defineStore } from 'pinia'
import { ref } from 'vue'
import { ListMounts, Mount, MountFlx, Unmount } from 'wailsjs/go/app/Desk.js'
import { MOUNT_CHANGED } from '@/events.js'
import { coalesced, errorMessage, eventSubscription, outcome } from './bridge.js'

// The mounts store lists the archives and snapshots mounted (FUSE) on this
// machine; mount:changed says the list changed and it is read again.
export const useMountsStore = defineStore('mounts', () => {
  const items = ref([])
  const loaded = ref(false)
  const error = ref('')
  const busy = ref({}) // dir → true while it is being unmounted

  const fetchMounts = coalesced(async () => {
    try {
      subscription.ensure()
      items.value = (await ListMounts()) ?? []
      loaded.value = true
      error.value = ''
    } catch (err) {
      error.value = errorMessage(err)
    }
  })

  const subscription = eventSubscription([MOUNT_CHANGED], () => fetchMounts())

  function keep(mount) {
    if (!mount?.dir) return
    items.value = [...items.value.filter((m) => m.dir !== mount.dir), mount]
  }

  // mount mounts an archive ("" = the whole repository) in a folder Go
  // picks; Go opens the file manager there.
  async function mount(server, archive) {
    const result = await outcome(() => Mount(String(server), String(archive ?? ''), ''))
    if (result.ok) keep(result.value)
    return result
  }

  async function mountFlx(path) {
    const result = await outcome(() => MountFlx(String(path), ''))
    if (result.ok) keep(result.value)
    return result
  }

  // unmount: a busy mount answers with the process that holds it.
  async function unmount(dir) {
    busy.value = { ...busy.value, [dir]: true }
    const result = await outcome(() => Unmount(String(dir)))
    busy.value = { ...busy.value, [dir]: false }
    if (result.ok) items.value = items.value.filter((m) => m.dir !== dir)
    return result
  }

  return { items, loaded, error, busy, load: fetchMounts, mount, mountFlx, unmount, stop: subscription.stop }
})
