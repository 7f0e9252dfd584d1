import { defineStore } from 'pinia'
import { computed, ref, watch } from 'vue'
import { Status } from 'wailsjs/go/app/Desk.js'
import { JOB_CHANGED, RUN_PROGRESS, SERVER_CHANGED } from '@/events.js'
import { i18n, isSupportedLocale, systemLocale } from '@/i18n.js'
import { coalesced, errorMessage, eventSubscription } from './bridge.js'
import { useSettingsStore } from './settings.js'

export const THEMES = Object.freeze(['system', 'light', 'dark'])
export const THEME_KEY = 'ui.theme'
export const LOCALE_KEY = 'ui.locale'
const DARK_QUERY = '(prefers-color-scheme: dark)'
// Go asks the window to show a page (a vue-router path) when the tray or a
// desktop notification is clicked. It carries no event record, so it is not
// one of the names in events.js.
const NAVIGATE = 'app:navigate'

// The app store holds what the whole window shares: the backend status and
// the theme and language, which are kept as settings on the Go side.
export const useAppStore = defineStore('app', () => {
  const settings = useSettingsStore()

  const status = ref(null)
  const statusError = ref('')

  const fetchStatus = coalesced(async () => {
    try {
      subscription.ensure()
      status.value = await Status()
      statusError.value = ''
    } catch (err) {
      statusError.value = errorMessage(err)
    }
  })

  // Status carries the fleet counts, which these events change. A live
  // run:progress record (id 0) only reports a backup's bytes: no count moves.
  const subscription = eventSubscription([SERVER_CHANGED, JOB_CHANGED, RUN_PROGRESS], (name, event) => {
    if (name === RUN_PROGRESS && !event?.id) return
    fetchStatus()
  })

  // navigation counts Go's requests, so asking twice for one page shows it again.
  const navigation = ref({ route: '', n: 0 })
  const navigate = eventSubscription([NAVIGATE], (_, route) => {
    if (typeof route === 'string' && route) navigation.value = { route, n: navigation.value.n + 1 }
  })

  // Theme: an explicit choice wins; "system" follows prefers-color-scheme,
  // including when the desktop switches while the app is open.
  const media = typeof window !== 'undefined' && window.matchMedia ? window.matchMedia(DARK_QUERY) : null
  const systemDark = ref(Boolean(media?.matches))
  media?.addEventListener?.('change', (e) => {
    systemDark.value = e.matches
  })

  const theme = computed(() => {
    const saved = settings.values[THEME_KEY]
    return THEMES.includes(saved) ? saved : 'system'
  })
  const effectiveTheme = computed(() =>
    theme.value === 'system' ? (systemDark.value ? 'dark' : 'light') : theme.value,
  )
  watch(
    effectiveTheme,
    (value) => document.documentElement.classList.toggle('dark', value === 'dark'),
    { immediate: true },
  )

  const locale = computed(() => {
    const saved = settings.values[LOCALE_KEY]
    return isSupportedLocale(saved) ? saved : systemLocale()
  })
  watch(
    locale,
    (value) => {
      i18n.global.locale.value = value
      document.documentElement.lang = value
    },
    { immediate: true },
  )

  async function init() {
    try {
      navigate.ensure()
    } catch (err) {
      statusError.value = errorMessage(err)
    }
    await Promise.all([fetchStatus(), settings.load()])
  }

  function setTheme(value) {
    return THEMES.includes(value) ? settings.save(THEME_KEY, value) : Promise.resolve(false)
  }

  function setLocale(value) {
    return isSupportedLocale(value) ? settings.save(LOCALE_KEY, value) : Promise.resolve(false)
  }

  return {
    status,
    statusError,
    navigation,
    theme,
    effectiveTheme,
    locale,
    init,
    loadStatus: fetchStatus,
    setTheme,
    setLocale,
    stop() {
      subscription.stop()
      navigate.stop()
    },
  }
})
