import { nextTick, onBeforeUnmount, onMounted } from 'vue'
import { useRouter } from 'vue-router'

// How long a restored position waits for the page's content to be tall
// enough (its data arrives after the navigation).
const RESTORE_FRAMES = 60

// useContentScroll gives the content pane what vue-router's scrollBehavior
// gives a scrolling window, which this window is not: a new page opens at
// its top, and Back or Forward return to where that page was left. A
// position is remembered per history entry (vue-router's history.state
// position and the route's full path).
export function useContentScroll(pane) {
  const router = useRouter()
  const saved = new Map()
  let current = ''
  let popped = false
  let frame = 0
  let restoring = false

  const entryKey = (fullPath) => `${window.history.state?.position ?? 0} ${fullPath}`

  // While a position is being restored, the pane's own clamping is not
  // where the operator left the page.
  function remember() {
    if (pane.value && !restoring) saved.set(current, pane.value.scrollTop)
  }

  // Sets the pane's position once the page is tall enough, or gives up.
  function scrollTo(top, frames = RESTORE_FRAMES) {
    cancelAnimationFrame(frame)
    const el = pane.value
    restoring = false
    if (!el) return
    el.scrollTop = top
    if (el.scrollTop >= top - 1 || frames <= 0) return
    restoring = true
    frame = requestAnimationFrame(() => scrollTo(top, frames - 1))
  }

  // A pushed entry replaces whatever was forward of it.
  function forgetForward() {
    const position = window.history.state?.position ?? 0
    for (const key of saved.keys()) if (Number(key.split(' ')[0]) >= position) saved.delete(key)
  }

  const stopListening = router.options.history.listen(() => (popped = true))
  const stopAfter = router.afterEach((to, _from, failure) => {
    if (failure) return
    const back = popped
    popped = false
    if (!back) forgetForward()
    current = entryKey(to.fullPath)
    const top = back ? (saved.get(current) ?? 0) : 0
    // After the new page has replaced the old one in the pane.
    nextTick(() => scrollTo(top))
  })

  onMounted(() => {
    current = entryKey(router.currentRoute.value.fullPath)
    pane.value?.addEventListener('scroll', remember, { passive: true })
  })
  onBeforeUnmount(() => {
    cancelAnimationFrame(frame)
    pane.value?.removeEventListener('scroll', remember)
    stopListening()
    stopAfter()
  })
}
