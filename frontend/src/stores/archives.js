import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { DeleteArchive, KeepArchive, ListArchives, RenameArchive } from 'wailsjs/go/app/Desk.js'
import { JOB_CHANGED, RUN_PROGRESS } from '@/events.js'
import { parseArchiveTime } from '@/utils/runs.js'
import { coalesced, errorMessage, eventSubscription } from './bridge.js'

// Runs that end with these statuses leave a new archive behind.
const ARCHIVING = ['succeeded', 'warning']

// catalogChanged tells the catalog's live job:changed (Go's IndexServer:
// {catalog_indexed, catalog_forgotten}) from the other live ones.
const catalogChanged = (name, event) => name === JOB_CHANGED && event?.data != null && ('catalog_indexed' in event.data || 'catalog_forgotten' in event.data)

// ALL_SERVERS stands for every server at once in select().
export const ALL_SERVERS = '*'

// The archives store lists the archives of one server's repository, the
// one picked on the Archives or Restore page, or of every server at once
// (ALL_SERVERS), newest first; each archive names its server. Listing runs
// borg on the coordinator, so it is fetched again only when an event says
// that server's repository changed: a backup finished or a prune ran.
export const useArchivesStore = defineStore('archives', () => {
  const server = ref('')
  // With ALL_SERVERS: the servers listed, [{ uuid, name }].
  const every = ref([])
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
      const from = wanted === ALL_SERVERS ? every.value : [{ uuid: wanted, name: '' }]
      const lists = await Promise.all(from.map(async (s) => ((await ListArchives(s.uuid)) ?? []).map((a) => ({ ...a, server_uuid: s.uuid, server_name: s.name }))))
      if (wanted !== server.value) return
      items.value = lists
        .flat()
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
  // may concern any server. Live-only events (id 0) are mostly progress and
  // are ignored, except the catalog's: it indexes a backup after the run
  // has finished, and the Indexed column must follow without a reload.
  const subscription = eventSubscription([RUN_PROGRESS, JOB_CHANGED], (name, event) => {
    if (!server.value || !(event?.id || catalogChanged(name, event))) return
    if (event.subject && server.value !== ALL_SERVERS && event.subject !== server.value) return
    if (name === RUN_PROGRESS && !ARCHIVING.includes(event.data?.status)) return
    fetchArchives()
  })

  // select makes ref (a server uuid) the server whose archives are listed;
  // ALL_SERVERS lists those of all (each server { uuid, name }).
  function select(ref, all = []) {
    const wanted = String(ref ?? '')
    if (wanted === ALL_SERVERS) every.value = all.map((s) => ({ uuid: s.uuid, name: s.name }))
    if (wanted !== server.value) {
      server.value = wanted
      items.value = []
      loaded.value = false
      error.value = ''
    }
    return fetchArchives()
  }

  // The operator's changes to one archive of the server whose uuid is
  // given. Each answers { ok: true, value } or { ok: false, error } (Go's
  // sentence) and lists the archives again; Go's job:changed follows.
  async function change(call) {
    let value
    try {
      value = await call()
    } catch (err) {
      return { ok: false, error: errorMessage(err) }
    }
    await fetchArchives()
    return { ok: true, value }
  }
  // remove deletes an archive; confirm is its name as the operator typed it.
  // lastDeleted keeps Go's answer ({server, archive, freed_bytes}) for the
  // Archives page the window goes back to.
  const lastDeleted = ref(null)
  async function remove(uuid, name, confirm) {
    const r = await change(() => DeleteArchive(uuid, name, confirm))
    if (r.ok) lastDeleted.value = r.value
    return r
  }
  // keepForever keeps an archive out of every prune (on) or lets its job's
  // retention apply to it again.
  const keepForever = (uuid, name, on) => change(() => KeepArchive(uuid, name, Boolean(on)))
  // rename gives an archive a new name and the comment (same name: only
  // the comment changes).
  const rename = (uuid, name, newName, comment) => change(() => RenameArchive({ server: uuid, archive: name, new_name: newName, comment }))

  return { server, items, loaded, loading, error, isEmpty, select, load: fetchArchives, stop: subscription.stop, remove, lastDeleted, keepForever, rename }
})
