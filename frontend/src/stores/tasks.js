import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { ListDrills, ListTasks } from 'wailsjs/go/app/Desk.js'
import { DRILL_CHANGED, TASK_CHANGED } from '@/events.js'
import { historyEntries } from '@/utils/tasks.js'
import { batched, coalesced, errorMessage, eventSubscription } from './bridge.js'

export const TASKS_LIMIT = 100
export const DRILLS_LIMIT = 50
// task:changed comes at every step of every task: a burst costs one fetch.
export const TASKS_REFETCH_MS = 150

// The tasks store holds what the CLI's `task list` shows, with the restore
// drills beside it: the agent tasks of every server (restores, database
// restores, .flx snapshots and restores, storage work) and the drills the
// coordinator ran, newest first. task:changed and drill:changed fetch the
// lists again.
export const useTasksStore = defineStore('tasks', () => {
  const tasks = ref([])
  const drills = ref([])
  const loaded = ref(false)
  const loading = ref(false)
  const error = ref('')

  const entries = computed(() => historyEntries(tasks.value, drills.value))

  const fetchAll = coalesced(async () => {
    loading.value = true
    try {
      subscription.ensure()
      const [t, d] = await Promise.all([ListTasks('', TASKS_LIMIT), ListDrills('', DRILLS_LIMIT)])
      tasks.value = t ?? []
      drills.value = d ?? []
      loaded.value = true
      error.value = ''
    } catch (err) {
      error.value = errorMessage(err)
    } finally {
      loading.value = false
    }
  })

  const refetch = batched(() => fetchAll(), TASKS_REFETCH_MS)
  const subscription = eventSubscription([TASK_CHANGED, DRILL_CHANGED], () => refetch())

  return { tasks, drills, entries, loaded, loading, error, load: fetchAll, stop: subscription.stop }
})
