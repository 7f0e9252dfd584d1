import { createI18n } from 'vue-i18n'
import en from './locales/en.json'
import fr from './locales/fr.json'
import de from './locales/de.json'

export const SUPPORTED_LOCALES = Object.freeze(['en', 'fr', 'de'])
export const FALLBACK_LOCALE = 'en'

// detectLocale maps a BCP 47 tag such as "de-AT" to a supported locale.
export function detectLocale(tag) {
  const base = String(tag || '').toLowerCase().split(/[-_]/)[0]
  return SUPPORTED_LOCALES.includes(base) ? base : FALLBACK_LOCALE
}

export function isSupportedLocale(value) {
  return SUPPORTED_LOCALES.includes(value)
}

export function systemLocale() {
  return detectLocale(typeof navigator === 'undefined' ? '' : navigator.language)
}

export function createAppI18n(locale = systemLocale()) {
  return createI18n({
    legacy: false,
    globalInjection: true,
    locale,
    fallbackLocale: FALLBACK_LOCALE,
    messages: { en, fr, de },
  })
}

// The one instance the app mounts; the app store switches its locale.
export const i18n = createAppI18n()
