import { computed, nextTick, onBeforeUnmount, ref, watch } from 'vue'
import { useJobsStore } from '@/stores/jobs.js'
import { checkKeep, checkWhat } from '@/utils/jobs.js'
import { isKnownTimeZone, scheduleFromForm, splitTimeZone } from '@/utils/schedule.js'

// The steps the New job and Edit job pages share: what, when, how long to
// keep, then the last step (a review, or the changes an edit makes).
export const WIZARD_STEPS = Object.freeze(['what', 'when', 'keep', 'review'])

// Go's answer for the schedule as typed is asked this long after typing stops.
const DESCRIBE_MS = 150

// useJobWizard drives the job form's steps: the schedule as cron text, Go's
// description of it (DescribeSchedule: shape, next runs, refusal, RPO
// check; an answer for text that changed meanwhile is dropped), each step's
// checks before the next opens, and moving between steps with the focus on
// the step's heading (or on the first field in error).
export function useJobWizard(form) {
  const jobs = useJobsStore()
  const step = ref(0)
  const tried = ref(false)
  const heading = ref(null)
  const formEl = ref(null)

  const schedule = computed(() => scheduleFromForm(form.schedule))
  const described = ref(null)
  let describeTimer = null
  watch(
    [schedule, () => form.server],
    ([expr, server]) => {
      clearTimeout(describeTimer)
      describeTimer = setTimeout(async () => {
        const result = await jobs.describeSchedule(expr, server)
        if (expr !== schedule.value || server !== form.server) return
        described.value = result.ok ? { ...result.value, for: expr } : null
      }, DESCRIBE_MS)
    },
    { immediate: true },
  )
  onBeforeUnmount(() => clearTimeout(describeTimer))
  const description = computed(() => (described.value?.for === schedule.value ? described.value : null))

  const scheduleProblem = computed(() => {
    const s = form.schedule
    if (s.mode === 'manual') return null
    if (s.mode === 'custom' && !splitTimeZone(s.cron).cron) return { problem: 'empty' }
    if (s.zoneOn && !isKnownTimeZone(s.zone)) return { problem: 'zone', zone: s.zone }
    if (s.mode !== 'custom' && !schedule.value) return { problem: 'time' }
    if (description.value?.error) return { problem: 'refused', message: description.value.error }
    return null
  })

  const errors = computed(() => {
    if (!tried.value) return {}
    if (step.value === 0) return checkWhat(form)
    if (step.value === 2) return checkKeep(form.keep)
    return {}
  })

  function stepProblems() {
    if (step.value === 0) return checkWhat(form)
    if (step.value === 1) return scheduleProblem.value ? { schedule: true } : {}
    if (step.value === 2) return checkKeep(form.keep)
    return {}
  }

  // go opens a step and puts the focus on its heading.
  async function go(to) {
    step.value = to
    tried.value = false
    await nextTick()
    heading.value?.focus()
  }

  // next opens the next step once this one has no obvious mistake; false
  // (and the focus on the first field in error) when it has one.
  async function next() {
    tried.value = true
    if (Object.keys(stepProblems()).length) {
      await nextTick()
      formEl.value?.querySelector('[aria-invalid="true"]')?.focus()
      return false
    }
    await go(step.value + 1)
    return true
  }

  // firstProblemStep is the first step with an obvious mistake, -1 when
  // none has one (the edit page may jump to its last step from any).
  function firstProblemStep() {
    if (Object.keys(checkWhat(form)).length) return 0
    if (scheduleProblem.value) return 1
    if (Object.keys(checkKeep(form.keep)).length) return 2
    return -1
  }

  return { step, tried, heading, formEl, schedule, description, scheduleProblem, errors, go, next, firstProblemStep }
}
