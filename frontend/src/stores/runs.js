import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { CancelRun, GetRun, ListJobRuns, ListRuns } from 'wailsjs/go/app/Desk.js'
import { JOB_CHANGED, RUN_PROGRESS } from '@/events.js'
import { isActive, nextProgress } from '@/utils/runs.js'
import { batched, coalesced, errorMessage, eventSubscription, outcome } from './bridge.js'

export const RUNS_LIMIT = 200
export const JOB_RUNS_LIMIT = 50
// Persisted run:progress records within this window cost one fetch.
export const REFETCH_MS = 120

// The runs store holds the recent runs of every job (the dashboard, the
// jobs list's last run) and the runs of the one job whose page is open.
// run:progress comes in two kinds. A persisted record (id > 0) says a run was
// queued, started or finished: the lists are fetched again, once for a burst.
// A live record (id 0) carries the files, bytes and path of a running backup
// every second or so: it is patched into the run in place and never fetched.
export const useRunsStore = defineStore('runs', () => {
  const items = ref([])
  const loaded = ref(false)
  const loading = ref(false)
  const error = ref('')

  const jobRef = ref(null)
  const jobRuns = ref([])
  const jobRunsLoaded = ref(false)
  const jobRunsError = ref('')

  // run id → { files, bytes, path, speed, at, status } from live records.
  const progress = ref({})

  const isEmpty = computed(() => loaded.value && items.value.length === 0)

  // lastRunByJob maps a job id to its newest run in the recent list.
  const lastRunByJob = computed(() => {
    const last = {}
    for (const run of items.value) if (!last[run.job_id]) last[run.job_id] = run
    return last
  })

  const fetchRuns = coalesced(async () => {
    loading.value = true
    try {
      subscription.ensure()
      items.value = ((await ListRuns(RUNS_LIMIT)) ?? []).map(withLive)
      loaded.value = true
      error.value = ''
    } catch (err) {
      error.value = errorMessage(err)
    } finally {
      loading.value = false
    }
    forgetFinished()
  })

  // Reads jobRef on every run, so an answer for a page left meanwhile is dropped.
  const fetchJobRuns = coalesced(async () => {
    const wanted = jobRef.value
    if (wanted == null) return
    try {
      subscription.ensure()
      const list = (await ListJobRuns(wanted, JOB_RUNS_LIMIT)) ?? []
      if (wanted !== jobRef.value) return
      jobRuns.value = list.map(withLive)
      jobRunsLoaded.value = true
      jobRunsError.value = ''
    } catch (err) {
      if (wanted === jobRef.value) jobRunsError.value = errorMessage(err)
    }
    forgetFinished()
  })

  const refetch = batched(() => Promise.all([fetchRuns(), fetchJobRuns()]), REFETCH_MS)

  // Go's record of a running run holds no progress; what the live records
  // said is kept over it until the run ends.
  function withLive(run) {
    const live = progress.value[run.id]
    if (!live || !isActive(run)) return run
    return { ...run, status: run.status === 'queued' ? live.status : run.status, files: live.files, bytes: live.bytes }
  }

  function forgetFinished() {
    const active = new Set([...items.value, ...jobRuns.value].filter(isActive).map((r) => r.id))
    const kept = Object.entries(progress.value).filter(([id]) => active.has(Number(id)))
    if (kept.length !== Object.keys(progress.value).length) progress.value = Object.fromEntries(kept)
  }

  // Live progress is applied once per animation frame: every report of
  // the frame is folded into pending (the newest per run), then one new
  // progress map and one pass over each list take them all. With 500
  // backups reporting, a report costs a Map write, not a re-render.
  const pending = new Map()
  let scheduled = false
  const nextFrame = typeof requestAnimationFrame === 'function' ? (fn) => requestAnimationFrame(fn) : (fn) => setTimeout(fn, 16)

  function applyLive(event) {
    const id = event?.data?.run_id
    if (!id) return
    pending.set(id, nextProgress(pending.get(id) ?? progress.value[id], event))
    if (!scheduled) {
      scheduled = true
      nextFrame(flushLive)
    }
  }

  // flushLive applies the pending reports now (the frame's callback; tests
  // call it instead of waiting for a frame).
  function flushLive() {
    scheduled = false
    if (pending.size === 0) return
    const next = { ...progress.value }
    for (const [id, p] of pending) next[id] = p
    progress.value = next
    for (const list of [items, jobRuns]) {
      let changed = false
      const patched = list.value.map((r) => {
        const p = pending.get(r.id)
        if (!p) return r
        changed = true
        return { ...r, files: p.files, bytes: p.bytes, status: p.status }
      })
      if (changed) list.value = patched
    }
    pending.clear()
  }

  // upsert puts a run Go just answered with (RunJob) on top of the lists it
  // belongs to, before the event that announces it arrives.
  function upsert(run) {
    if (!run?.id) return
    const put = (list) => [run, ...list.filter((r) => r.id !== run.id)]
    items.value = put(items.value)
    if (jobRef.value != null && String(run.job_id) === jobRef.value) jobRuns.value = put(jobRuns.value)
  }

  const subscription = eventSubscription([RUN_PROGRESS, JOB_CHANGED], (name, event) => {
    if (name === RUN_PROGRESS && !event?.id) return applyLive(event)
    refetch()
  })

  // openJob makes ref (a job id as a string) the job whose runs are kept.
  function openJob(ref) {
    const wanted = String(ref)
    if (jobRef.value !== wanted) {
      jobRef.value = wanted
      jobRuns.value = []
      jobRunsLoaded.value = false
      jobRunsError.value = ''
    }
    return fetchJobRuns()
  }

  function closeJob() {
    jobRef.value = null
    jobRuns.value = []
    jobRunsLoaded.value = false
    jobRunsError.value = ''
  }

  // getRun brings one run with its log.
  function getRun(id) {
    return outcome(() => GetRun(Number(id)))
  }

  // cancel cancels a queued or running run; Go answers with it finished
  // (cancelled), and its agent stops the backup at its next report.
  async function cancel(run) {
    const result = await outcome(() => CancelRun(Number(run.id)))
    if (result.ok && result.value) upsert(result.value)
    return result
  }

  function progressOf(id) {
    return pending.get(id) ?? progress.value[id] ?? null
  }

  return {
    items,
    loaded,
    loading,
    error,
    isEmpty,
    lastRunByJob,
    jobRef,
    jobRuns,
    jobRunsLoaded,
    jobRunsError,
    progress,
    load: fetchRuns,
    openJob,
    closeJob,
    reloadJobRuns: fetchJobRuns,
    getRun,
    cancel,
    upsert,
    progressOf,
    flushLive,
    stop: subscription.stop,
  }
})
