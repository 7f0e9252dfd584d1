import { defineStore } from 'pinia'
import { ref } from 'vue'
import { ListDrills, RunDrill, SetJobDrillSchedule } from 'wailsjs/go/app/Desk.js'
import { DRILL_CHANGED } from '@/events.js'
import { coalesced, errorMessage, eventSubscription, outcome } from './bridge.js'
import { useJobsStore } from './jobs.js'

export const DRILLS_LIMIT = 50

// The drills store holds the restore drills of the job whose page is open
// (ListDrills of its server, kept to that job). drill:changed says one
// started or finished: the list is read again.
export const useDrillsStore = defineStore('drills', () => {
  const job = ref(null) // {id, server_uuid}
  const items = ref([])
  const loaded = ref(false)
  const error = ref('')

  const fetchDrills = coalesced(async () => {
    const wanted = job.value
    if (!wanted) return
    try {
      subscription.ensure()
      const list = (await ListDrills(String(wanted.server_uuid ?? ''), DRILLS_LIMIT)) ?? []
      if (wanted !== job.value) return
      items.value = list.filter((d) => String(d.job_id) === String(wanted.id))
      loaded.value = true
      error.value = ''
    } catch (err) {
      if (wanted === job.value) error.value = errorMessage(err)
    }
  })

  const subscription = eventSubscription([DRILL_CHANGED], () => fetchDrills())

  function openJob(value) {
    if (job.value?.id !== value?.id) {
      job.value = value ? { id: value.id, server_uuid: value.server_uuid } : null
      items.value = []
      loaded.value = false
      error.value = ''
    }
    return fetchDrills()
  }

  function closeJob() {
    job.value = null
  }

  // run starts a drill (full: every file, else a sample); the running drill
  // Go answers with is shown at once.
  async function run(target, full) {
    const result = await outcome(() => RunDrill(String(target.id), Boolean(full)))
    if (result.ok && result.value && String(result.value.job_id) === String(job.value?.id)) {
      items.value = [result.value, ...items.value.filter((d) => d.id !== result.value.id)]
    }
    return result
  }

  // setSchedule saves the job's drill schedule (cron, "" = none).
  async function setSchedule(target, schedule) {
    const result = await outcome(() => SetJobDrillSchedule(String(target.id), String(schedule ?? '').trim()))
    if (result.ok) useJobsStore().replace(result.value)
    return result
  }

  return { job, items, loaded, error, openJob, closeJob, load: fetchDrills, run, setSchedule, stop: subscription.stop }
})
