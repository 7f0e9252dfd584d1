import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { ChooseFlxFile, CreateFlx, DiffFlx, ExportFlx, FlxInbox, ListFlx, ListTasks, OpenFlx, RestoreFlx } from 'wailsjs/go/app/Desk.js'
import { FLX_INBOX, FLX_OPENED, FLX_STORED, TASK_CHANGED } from '@/events.js'
import { basename, isTaskDone, laterStatus, parseJSON, restoreRequest } from '@/utils/flx.js'
import { errorMessage, eventSubscription, outcome } from './bridge.js'

// How many of a server's newest tasks ListTasks is asked for to find the one
// that finished.
export const FLX_TASKS_LIMIT = 50
// An inbox toast carries an action, so it stays longer than a notification.
export const INBOX_TOAST_MS = 30000
const MAX_ARRIVALS = 10
const MAX_EARLY = 200
const RETRY_MS = 1000

// The flx store holds the .flx/.flxx snapshots this window opened (by id, the
// SHA-256 of the file), what was done with them (a comparison, a dry run, a
// restore), the snapshots made on servers, and the inbox.
//
// flx:opened says Go opened a snapshot (a drop on the window, a double-click
// in the file manager, or OpenFlx): one not known yet is opened here too (Go
// answers with its inspection; the snapshot is already open there), then
// `opened` moves and the window shows its restore view. OpenFlx announces
// flx:opened itself, so an open in flight is never asked twice.
//
// Restores and snapshot creations are agent tasks: task:changed follows
// them, and once one is finished ListTasks brings its result.
export const useFlxStore = defineStore('flx', () => {
  // id → FlxFile as OpenFlx sent it.
  const snapshots = ref({})
  // ids, the latest opened first.
  const recent = ref([])
  // Moves on every open: {id, n}; the app shows that snapshot's view.
  const opened = ref({ id: '', n: 0 })
  // An open the window asked for on its own (after flx:opened) that failed.
  const openError = ref(null)

  const inbox = ref('')
  const inboxError = ref('')
  // Snapshots that landed in the inbox: [{key, path, name, at}], newest first.
  const arrivals = ref([])
  // keys of the arrivals shown as toasts.
  const toastKeys = ref([])

  // task id → {id, kind: plan|restore|create, server, snapshot, request,
  // status, result, error, fetchError, missing (not among the newest tasks
  // ListTasks answered), task}.
  const tasks = ref({})
  // snapshot id → {diff: {server, entries, error, busy} | null, plan, restore}
  // (plan and restore are task ids).
  const work = ref({})
  // server ref → {items, loaded, loading, error, create (task id)}.
  const lists = ref({})

  const toasts = computed(() => arrivals.value.filter((a) => toastKeys.value.includes(a.key)))
  const recentSnapshots = computed(() => recent.value.map((id) => snapshots.value[id]).filter(Boolean))

  const openings = new Map() // path → promise of an OpenFlx in flight
  const early = new Map() // task id → status heard before its call answered
  const waiters = new Map() // task id → [resolve]
  let arrivalSeq = 0

  function get(id) {
    return snapshots.value[id] ?? null
  }

  function workOf(id) {
    return work.value[id] ?? { diff: null, plan: null, restore: null }
  }

  function patchWork(id, patch) {
    work.value = { ...work.value, [id]: { ...workOf(id), ...patch } }
  }

  function keep(file) {
    snapshots.value = { ...snapshots.value, [file.id]: file }
    recent.value = [file.id, ...recent.value.filter((id) => id !== file.id)]
  }

  function announce(id) {
    opened.value = { id, n: opened.value.n + 1 }
  }

  // open asks Go for a snapshot on this machine and shows it: {ok, value,
  // error}. A damaged snapshot opens too, unverified, with its error.
  function open(path) {
    const wanted = String(path ?? '')
    if (openings.has(wanted)) return openings.get(wanted)
    const pending = (async () => {
      try {
        listen()
        const result = await outcome(() => OpenFlx(wanted))
        if (result.ok && result.value?.id) {
          keep(result.value)
          if (openError.value?.path === wanted) openError.value = null
          announce(result.value.id)
        }
        return result
      } finally {
        openings.delete(wanted)
      }
    })()
    openings.set(wanted, pending)
    return pending
  }

  // openFromDisk asks for a snapshot file with the system's file chooser
  // (titled title) and opens it: {ok, value, error}; value is null when the
  // operator cancelled.
  async function openFromDisk(title) {
    const picked = await outcome(() => ChooseFlxFile(String(title ?? '')))
    if (!picked.ok || !picked.value) return picked.ok ? { ok: true, value: null, error: '' } : picked
    return open(picked.value)
  }

  async function onOpened(event) {
    const id = event?.data?.id || event?.subject
    const path = event?.data?.path
    if (!id) return
    if (snapshots.value[id]) return announce(id)
    if (!path) return
    const result = await open(path)
    if (!result.ok) openError.value = { path, message: result.error }
  }

  // retryOpen tries the snapshot that could not be opened once more.
  async function retryOpen() {
    const path = openError.value?.path
    if (!path) return null
    openError.value = null
    const result = await open(path)
    if (!result.ok) openError.value = { path, message: result.error }
    return result
  }

  function onInbox(event) {
    const path = event?.data?.path
    if (!path) return
    const key = ++arrivalSeq
    arrivals.value = [{ key, path, name: basename(path), at: event.at ?? '' }, ...arrivals.value.filter((a) => a.path !== path)].slice(0, MAX_ARRIVALS)
    toastKeys.value = [...toastKeys.value.filter((k) => arrivals.value.some((a) => a.key === k)), key]
    setTimeout(() => dismissArrival(key), INBOX_TOAST_MS)
  }

  function dismissArrival(key) {
    toastKeys.value = toastKeys.value.filter((k) => k !== key)
  }

  // openArrival opens a snapshot from the inbox; its toast goes away, and
  // the window says so when it cannot be opened.
  async function openArrival(arrival) {
    dismissArrival(arrival.key)
    const result = await open(arrival.path)
    if (!result.ok) openError.value = { path: arrival.path, message: result.error }
    return result
  }

  async function loadInbox() {
    try {
      inbox.value = (await FlxInbox()) ?? ''
      inboxError.value = ''
    } catch (err) {
      inboxError.value = errorMessage(err)
    }
  }

  // --- tasks ---------------------------------------------------------------

  function patchTask(id, patch) {
    const known = tasks.value[id]
    if (!known) return
    tasks.value = { ...tasks.value, [id]: { ...known, ...patch } }
  }

  // A task is finished once ListTasks said so: then its result is known.
  const finished = (t) => isTaskDone(t?.task?.status)

  function settle(id) {
    const t = tasks.value[id]
    if (!finished(t)) return
    waiters.get(id)?.forEach((resolve) => resolve(t))
    waiters.delete(id)
  }

  // settled resolves with the task once it is finished and its result read.
  function settled(id) {
    const t = tasks.value[id]
    if (finished(t)) return Promise.resolve(t)
    return new Promise((resolve) => waiters.set(id, [...(waiters.get(id) ?? []), resolve]))
  }

  // fetchTask reads a finished task (result, error) from ListTasks.
  async function fetchTask(id) {
    const t = tasks.value[id]
    if (!t) return
    try {
      const list = (await ListTasks(t.server, FLX_TASKS_LIMIT)) ?? []
      const found = list.find((x) => Number(x.id) === Number(id))
      if (!found) {
        patchTask(id, { missing: true, fetchError: '' })
        return
      }
      patchTask(id, {
        task: found,
        status: laterStatus(tasks.value[id].status, found.status),
        result: parseJSON(found.result),
        error: found.error ?? '',
        fetchError: '',
        missing: false,
      })
    } catch (err) {
      patchTask(id, { fetchError: errorMessage(err) })
      return
    }
    const now = tasks.value[id]
    if (!finished(now)) {
      // An event said it finished but the list was read a moment early: once
      // more, after a second; else the next event fetches again.
      if (isTaskDone(now.status) && !now.retried) {
        patchTask(id, { retried: true })
        setTimeout(() => fetchTask(id), RETRY_MS)
      }
      return
    }
    if (now.kind === 'create' && now.status === 'succeeded') list(now.server)
    settle(id)
  }

  function onTaskChanged(event) {
    const id = Number(event?.data?.task_id)
    const status = event?.data?.status ?? ''
    // Without a task, Go says it dropped events (a resync): read again.
    if (!id) return refreshTasks()
    const known = tasks.value[id]
    if (!known) {
      early.set(id, laterStatus(early.get(id) ?? '', status))
      if (early.size > MAX_EARLY) early.delete(early.keys().next().value)
      return
    }
    patchTask(id, { status: laterStatus(known.status, status) })
    if (isTaskDone(status)) fetchTask(id)
  }

  // follow keeps a task Go just queued; events heard before its call
  // answered are taken in.
  function follow(task, kind, server, extra = {}) {
    const heard = early.get(task.id) ?? ''
    early.delete(task.id)
    const status = laterStatus(task.status ?? 'queued', heard)
    tasks.value = {
      ...tasks.value,
      [task.id]: { id: task.id, kind, server, status, result: null, error: '', fetchError: '', task: null, ...extra },
    }
    if (isTaskDone(status)) fetchTask(task.id)
    return tasks.value[task.id]
  }

  // refreshTasks reads the tasks still running once, for what the events may
  // have missed while the window was hidden.
  function refreshTasks() {
    return Promise.all(
      Object.values(tasks.value)
        .filter((t) => !finished(t))
        .map((t) => fetchTask(t.id)),
    )
  }

  function task(id) {
    return id == null ? null : (tasks.value[id] ?? null)
  }

  // --- restore view --------------------------------------------------------

  // diff compares snapshot id with a server's files under root ('' for
  // its own root), up to a minute.
  async function diff(id, server, root = '') {
    patchWork(id, { diff: { server, root, entries: [], error: '', busy: true } })
    const result = await outcome(() => DiffFlx(String(id), String(server), String(root ?? '').trim()))
    patchWork(id, { diff: { server, root, entries: result.value ?? [], error: result.error, busy: false } })
    return result
  }

  // restore queues RestoreFlx (a dry run too) and follows its task.
  async function restore(req) {
    listen()
    const request = restoreRequest(req)
    const result = await outcome(() => RestoreFlx(request))
    if (!result.ok) return result
    const kind = request.dry_run ? 'plan' : 'restore'
    const followed = follow(result.value, kind, request.server, { snapshot: request.id, request })
    patchWork(request.id, { [kind]: followed.id })
    return { ...result, value: followed }
  }

  // --- snapshots made on servers ------------------------------------------

  function listOf(server) {
    return lists.value[server] ?? { items: [], loaded: false, loading: false, error: '', create: null }
  }

  function patchList(server, patch) {
    lists.value = { ...lists.value, [server]: { ...listOf(server), ...patch } }
  }

  async function list(server) {
    patchList(server, { loading: true })
    try {
      subscription.ensure()
      const items = (await ListFlx(String(server))) ?? []
      patchList(server, { items, loaded: true, loading: false, error: '' })
    } catch (err) {
      patchList(server, { loading: false, error: errorMessage(err) })
    }
  }

  // create asks a server's agent for a snapshot; list() runs when it is in.
  async function create(server, profile, type) {
    listen()
    const result = await outcome(() => CreateFlx(String(server), profile, type))
    if (!result.ok) return result
    const followed = follow(result.value, 'create', String(server), { request: { profile, type } })
    patchList(server, { create: followed.id })
    return { ...result, value: followed }
  }

  // exportFlx copies a snapshot received from a server into ~/Downloads and
  // resolves to where it went.
  function exportFlx(path) {
    return outcome(() => ExportFlx(String(path)))
  }

  const subscription = eventSubscription([FLX_OPENED, FLX_INBOX, FLX_STORED, TASK_CHANGED], (name, event) => {
    if (name === FLX_OPENED) return onOpened(event)
    if (name === FLX_INBOX) return onInbox(event)
    if (name === FLX_STORED) return onStored(event)
    return onTaskChanged(event)
  })

  // A .flx job's run stored a snapshot (and its retention may have removed
  // older ones): a server whose list was loaded lists again.
  function onStored(event) {
    const server = String(event?.subject ?? '')
    if (server && lists.value[server]?.loaded) list(server)
  }

  // listen subscribes (start, and before a call whose answer events follow).
  // Without the Wails runtime there is nothing to hear; the events store
  // already reports that, and the calls fail by themselves and say so.
  function listen() {
    try {
      subscription.ensure()
    } catch {
      // reported by the events store
    }
  }

  return {
    snapshots,
    recent,
    recentSnapshots,
    opened,
    openError,
    inbox,
    inboxError,
    arrivals,
    toasts,
    tasks,
    work,
    lists,
    start: listen,
    get,
    open,
    openFromDisk,
    retryOpen,
    dismissArrival,
    openArrival,
    loadInbox,
    workOf,
    task,
    settled,
    refreshTasks,
    diff,
    restore,
    listOf,
    list,
    create,
    exportFlx,
    stop: subscription.stop,
  }
})
