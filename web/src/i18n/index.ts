// vue-i18n set up for the two UI languages; the locale follows prefs.lang.
import { watch } from 'vue'
import { createI18n } from 'vue-i18n'
import zhCN from './zh-CN'
import en from './en'
import { prefs } from '../prefs'
import wishesMessages from './wishes'
import fundMessages from './fund'
import grantsMessages from './grants'

export const i18n = createI18n({
  legacy: false,
  locale: prefs.lang,
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCN, en },
})

// Micro-wishes and the fund keep their strings in their own modules (top-level
// keys `wishes` and `fund`), deep-merged into both languages here.
for (const mod of [wishesMessages, fundMessages]) {
  i18n.global.mergeLocaleMessage('zh-CN', mod['zh-CN'])
  i18n.global.mergeLocaleMessage('en', mod.en)
}

// Micro-venture grants (微创投): top-level key `grants`, merged the same way.
i18n.global.mergeLocaleMessage('zh-CN', grantsMessages['zh-CN'])
i18n.global.mergeLocaleMessage('en', grantsMessages.en)

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
