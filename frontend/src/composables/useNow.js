import { onBeforeUnmount, onMounted, readonly, ref } from 'vue'

// The one clock of the UI. Relative times ("2 minutes ago") read it, so they
// age while nothing arrives from Go. It asks the backend nothing: it is the
// only timer in src/ allowed to repeat (see tests/unit/architecture.spec.js).
export const TICK_MS = 15_000

const now = ref(Date.now())
let users = 0
let timer = null

function tick() {
  now.value = Date.now()
}

// useNow returns the clock as a read-only ref. It ticks while at least one
// mounted component uses it and stops when the last one goes away.
export function useNow() {
  onMounted(() => {
    tick()
    if (users++ === 0) timer = setInterval(tick, TICK_MS)
  })
  onBeforeUnmount(() => {
    if (--users === 0) {
      clearInterval(timer)
      timer = null
    }
  })
  return readonly(now)
}
