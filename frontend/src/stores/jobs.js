import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { BackupServer, CreateJob, DeleteJob, DescribeSchedule, DuplicateJob, EditJob, GetJobInput, ListJobs, PruneJob, RunJob, SetJobEnabled } from 'wailsjs/go/app/Desk.js'
import { JOB_CHANGED } from '@/events.js'
import { withParsed } from '@/utils/jobs.js'
import { coalesced, errorMessage, eventSubscription, outcome } from './bridge.js'
import { useRunsStore } from './runs.js'

// Go refuses a prune with an error starting with this when archives it made
// were deleted by a client: a warning to act on, not a failure.
export const PRUNE_HELD = 'prune held'

// The jobs store holds every job, with spec and keep parsed from the JSON
// text Go keeps them as. job:changed says a job was created, changed or
// pruned: the list is fetched again (the runs store fetches its runs).
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
      items.value = ((await ListJobs()) ?? []).map(withParsed)
      loaded.value = true
      error.value = ''
    } catch (err) {
      error.value = errorMessage(err)
    } finally {
      loading.value = false
    }
  })

  const subscription = eventSubscription([JOB_CHANGED], () => fetchJobs())

  function byId(id) {
    return items.value.find((j) => String(j.id) === String(id)) ?? null
  }

  // create hands the wizard's input to Go as it is: spec and keep objects.
  async function create(input) {
    const result = await outcome(() => CreateJob(input))
    if (result.ok && result.value) {
      const job = withParsed(result.value)
      items.value = [...items.value.filter((j) => j.id !== job.id), job]
      return { ...result, value: job }
    }
    return result
  }

  // replace puts a job Go answered with (after a change) in the list. A
  // store.Job lacks the view's fields (next run, schedule in words): the
  // old ones stay until job:changed brings the list again, except the next
  // run of a job that is now paused, which has none.
  function replace(record) {
    if (!record) return
    const job = withParsed(record)
    items.value = items.value.map((j) => (j.id === job.id ? { ...j, ...job, ...(job.enabled ? {} : { next_run: null }) } : j))
  }

  // run queues a run now; the run Go answers with is shown at once.
  async function run(job) {
    const result = await outcome(() => RunJob(String(job.id)))
    if (result.ok) useRunsStore().upsert(result.value)
    return result
  }

  // prune applies the job's retention now. held is set when Go held the
  // prune back to protect archives a client deleted.
  async function prune(job) {
    const result = await outcome(() => PruneJob(String(job.id)))
    return { ...result, held: !result.ok && result.error.startsWith(PRUNE_HELD) }
  }

  // describeSchedule asks Go what a schedule does: its shape, its next five
  // runs, its refusal, and whether it keeps server's backups within its RPO.
  function describeSchedule(expr, server = '') {
    return outcome(() => DescribeSchedule(String(expr ?? ''), String(server ?? '')))
  }

  // input is the job's definition as its edit form starts from it.
  function input(job) {
    return outcome(() => GetJobInput(String(job.id)))
  }

  // edit asks Go what an edit changes (preview) or applies it; Go checks it
  // as it checks a new job. An applied edit's job is shown at once.
  async function edit(job, value, preview) {
    const result = await outcome(() => EditJob(String(job.id), value, Boolean(preview)))
    if (result.ok && result.value?.applied) replace(result.value.job)
    return result
  }

  // setEnabled pauses (false) or resumes a job's schedule.
  async function setEnabled(job, enabled) {
    const result = await outcome(() => SetJobEnabled(String(job.id), Boolean(enabled)))
    if (result.ok) {
      replace(result.value)
      fetchJobs() // the next run Go counts from now
    }
    return result
  }

  // duplicate copies a job under a new name, on server (a uuid) or its own.
  async function duplicate(job, name, server = '') {
    const result = await outcome(() => DuplicateJob(String(job.id), String(name), String(server ?? '')))
    if (result.ok && result.value) {
      const copy = withParsed(result.value)
      items.value = [...items.value.filter((j) => j.id !== copy.id), copy]
      fetchJobs()
    }
    return result
  }

  // remove deletes a job; its archives too only with withArchives and the
  // job's name typed (confirm). Go's refusal is shown as sent. The job
  // stays listed until forget (the page showing it leaves first) or the
  // job:changed that follows.
  function remove(job, withArchives, confirm) {
    return outcome(() => DeleteJob(String(job.id), Boolean(withArchives), withArchives ? String(confirm ?? '') : ''))
  }

  function forget(id) {
    items.value = items.value.filter((j) => String(j.id) !== String(id))
  }

  // backupServer queues a run of every enabled job of a server (its uuid):
  // the runs queued and the paused jobs left alone.
  async function backupServer(server) {
    const result = await outcome(() => BackupServer(String(server)))
    if (result.ok) for (const run of result.value?.runs ?? []) useRunsStore().upsert(run)
    return result
  }

  return {
    items,
    loaded,
    loading,
    error,
    isEmpty,
    load: fetchJobs,
    byId,
    create,
    replace,
    run,
    prune,
    describeSchedule,
    input,
    edit,
    setEnabled,
    duplicate,
    remove,
    forget,
    backupServer,
    stop: subscription.stop,
  }
})
