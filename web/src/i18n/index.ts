// vue-i18n for the two UI languages; the locale follows prefs.lang. The shared
// strings are in i18n/zh-CN.ts and en.ts; each module's are in
// pages/<module>/i18n/ (zh-CN.ts and en.ts, under the module's name), declared by
// its index.ts and gathered in modules.ts: one layout, merged one way.
import { watch } from 'vue'
import { createI18n } from 'vue-i18n'
import zhCN from './zh-CN'
import en from './en'
import { prefs } from '../prefs'
import { moduleMessages } from '../modules'

export const i18n = createI18n({
  legacy: false,
  locale: prefs.lang,
  fallbackLocale: 'zh-CN',
  messages: {
    'zh-CN': { ...zhCN, ...moduleMessages('zh-CN') },
    en: { ...en, ...moduleMessages('en') },
  },
})

watch(
  () => prefs.lang,
  (lang) => {
    i18n.global.locale.value = lang
  },
)

/** Translate outside components (API client, router, labels). */
export function t(key: string, named: Record<string, unknown> = {}): string {
  return i18n.global.t(key, named)
}

/** Whether a key has a message (for codes that may have none). */
export function te(key: string): boolean {
  return i18n.global.te(key)
}

/** The label of a code in the UI language (prefix.code: an enum's value, a status); an unknown
 *  code shows as it is, and no code as empty (— by default). */
export function codeLabel(prefix: string, code: string | null | undefined, empty = '—'): string {
  if (code === null || code === undefined || code === '') return empty
  const key = `${prefix}.${code}`
  return te(key) ? t(key) : code
}
