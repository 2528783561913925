// The two preferences a person keeps across visits: the UI language and the
// large-text mode for elders. Both live in localStorage (linli.lang,
// linli.largeText) and are applied to <html> (lang attribute, large-text class).
import { reactive, watch } from 'vue'

export type Lang = 'zh-CN' | 'en'

const LANG_KEY = 'linli.lang'
const LARGE_KEY = 'linli.largeText'

function storedValue(key: string): string | null {
  try {
    return window.localStorage.getItem(key)
  } catch {
    return null // storage disabled (private mode in some WebViews): defaults apply
  }
}

function storeValue(key: string, value: string): void {
  try {
    window.localStorage.setItem(key, value)
  } catch {
    // storage disabled: the preference lasts for this page only
  }
}

function parseLang(v: string | null): Lang {
  return v === 'en' || v?.toLowerCase().startsWith('en') ? 'en' : 'zh-CN'
}

export const prefs = reactive({
  lang: parseLang(storedValue(LANG_KEY)),
  largeText: ['1', 'true'].includes(storedValue(LARGE_KEY) ?? ''),
})

export function currentLang(): Lang {
  return prefs.lang
}

export function setLang(lang: Lang): void {
  prefs.lang = lang
}

export function setLargeText(on: boolean): void {
  prefs.largeText = on
}

function applyToDocument(): void {
  const html = document.documentElement
  html.lang = prefs.lang
  html.classList.toggle('large-text', prefs.largeText)
}

/** Applies the stored preferences to <html> now and keeps storage and <html> in step. */
export function installPrefs(): void {
  applyToDocument()
  watch(
    () => [prefs.lang, prefs.largeText] as const,
    ([lang, large]) => {
      storeValue(LANG_KEY, lang)
      storeValue(LARGE_KEY, large ? '1' : '0')
      applyToDocument()
    },
  )
}
