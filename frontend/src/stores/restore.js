import { defineStore } from 'pinia'
import { ref } from 'vue'
import { CancelTask, GetTask, ListTasks, PlanRestore, RestoreDatabase, StartRestore } from 'wailsjs/go/app/Desk.js'
import { TASK_CHANGED } from '@/events.js'
import { isTaskDone, laterStatus, parseJSON } from '@/utils/flx.js'
import { taskIdOf } from '@/utils/restore.js'
import { coalesced, errorMessage, eventSubscription, outcome } from './bridge.js'

const MAX_EARLY = 200

// The task types of restores, and how many of the last ones the Restore
// page lists (found among the newest RECENT_SCAN tasks of the fleet).
export const RESTORE_TYPES = Object.freeze(['restore', 'db-restore'])
export const RECENT_RESTORES = 10
const RECENT_SCAN = 200

// The restore store follows the restores this window started: files
// (StartRestore) and database dumps (RestoreDatabase). Both are agent tasks;
// task:changed carries their status and progress, and GetTask brings the
// result once one is finished (or when an event came without progress).
export const useRestoreStore = defineStore('restore', () => {
  // id → {id, kind: files|database, request, status, progress, result,
  // error, fetchError, cancelling}
  const tasks = ref({})
  const early = new Map() // task id → the last event heard before the call answered
  const fetching = new Map() // task id → GetTask in flight

  function task(id) {
    return id == null ? null : (tasks.value[id] ?? null)
  }

  function patch(id, fields) {
    const known = tasks.value[id]
    if (!known) return
    tasks.value = { ...tasks.value, [id]: { ...known, ...fields } }
  }

  // apply folds a Task record in; a status never moves back.
  function apply(record) {
    const id = Number(record?.id)
    const known = tasks.value[id]
    if (!known) return
    patch(id, {
      status: laterStatus(known.status, record.status ?? ''),
      progress: parseJSON(record.progress) ?? known.progress,
      result: parseJSON(record.result) ?? known.result,
      error: record.error ?? known.error,
      fetchError: '',
    })
  }

  function refresh(id) {
    if (fetching.has(id)) return fetching.get(id)
    const pending = (async () => {
      try {
        apply(await GetTask(Number(id)))
      } catch (err) {
        patch(id, { fetchError: errorMessage(err) })
      } finally {
        fetching.delete(id)
      }
    })()
    fetching.set(id, pending)
    return pending
  }

  function onEvent(event) {
    const id = taskIdOf(event)
    if (!id) return
    const data = event.data ?? {}
    const known = tasks.value[id]
    if (!known) {
      early.set(id, data)
      if (early.size > MAX_EARLY) early.delete(early.keys().next().value)
      return
    }
    const progress = parseJSON(data.progress)
    patch(id, { status: laterStatus(known.status, data.status ?? ''), progress: progress ?? known.progress })
    // A finished task's result, or the progress of a running one that the
    // event did not carry, comes from GetTask.
    if (isTaskDone(data.status) || (data.status === 'running' && !progress)) refresh(id)
  }

  // The last restores, for the Restore page: files and databases, from
  // the newest agent tasks (ListTasks), read again as tasks change.
  const recent = ref([])
  const recentLoaded = ref(false)
  const recentError = ref('')
  const fetchRecent = coalesced(async () => {
    try {
      listen()
      const list = (await ListTasks('', RECENT_SCAN)) ?? []
      recent.value = list.filter((t) => RESTORE_TYPES.includes(t.type)).slice(0, RECENT_RESTORES)
      recentLoaded.value = true
      recentError.value = ''
    } catch (err) {
      recentError.value = errorMessage(err)
    }
  })

  const subscription = eventSubscription([TASK_CHANGED], (_, event) => {
    onEvent(event)
    if (recentLoaded.value) fetchRecent()
  })

  function listen() {
    try {
      subscription.ensure()
    } catch {
      // the events store reports a missing runtime; the calls fail by themselves
    }
  }

  function follow(record, kind, request) {
    const id = Number(record.id)
    tasks.value = {
      ...tasks.value,
      [id]: { id, kind, request, status: record.status || 'queued', progress: null, result: null, error: '', fetchError: '', cancelling: false },
    }
    apply(record)
    const heard = early.get(id)
    early.delete(id)
    if (heard) onEvent({ data: { ...heard, task_id: id } })
    if (isTaskDone(tasks.value[id].status) && !tasks.value[id].result) refresh(id)
    return tasks.value[id]
  }

  async function start(kind, call, request) {
    listen()
    const result = await outcome(() => call(request))
    if (!result.ok) return result
    return { ...result, value: follow(result.value, kind, request) }
  }

  // restoreFiles starts StartRestore with a RestoreRequest (utils/restore.js).
  function restoreFiles(request) {
    return start('files', StartRestore, request)
  }

  // plan asks Go what a restore would do (PlanRestore): {files, bytes, to,
  // target, landing: [{path, final}]}, as an outcome.
  function plan(request) {
    return outcome(() => PlanRestore(request))
  }

  // restoreDatabase starts RestoreDatabase with a DBRestoreRequest.
  function restoreDatabase(request) {
    return start('database', RestoreDatabase, request)
  }

  // cancel asks Go to stop a restore; what was written is in its result.
  async function cancel(id) {
    patch(id, { cancelling: true })
    const result = await outcome(() => CancelTask(Number(id)))
    patch(id, { cancelling: false })
    if (result.ok) apply(result.value)
    return result
  }

  return { tasks, task, recent, recentLoaded, recentError, loadRecent: fetchRecent, restoreFiles, plan, restoreDatabase, cancel, refresh, start: listen, stop: subscription.stop }
})
