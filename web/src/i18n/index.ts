// vue-i18n set up for the two UI languages; the locale follows prefs.lang.
import { watch } from 'vue'
import { createI18n } from 'vue-i18n'
import zhCN from './zh-CN'
import en from './en'
import { prefs } from '../prefs'

export const i18n = createI18n({
  legacy: false,
  locale: prefs.lang,
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCN, en },
})

watch(
  () => prefs.lang,
  (lang) => {
    i18n.global.locale.value = lang
  },
)

/** Translate outside components (API client, router). */
export function t(key: string, named: Record<string, unknown> = {}): string {
  return i18n.global.t(key, named)
}
