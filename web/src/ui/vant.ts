// Vant for the mobile resident shell: its stylesheet and its own strings,
// switched with the UI language.
import 'vant/lib/index.css'
import { watchEffect } from 'vue'
import { Locale } from 'vant'
import vantZh from 'vant/es/locale/lang/zh-CN'
import vantEn from 'vant/es/locale/lang/en-US'
import { prefs } from '../prefs'

export function followLanguage(): void {
  watchEffect(() => {
    if (prefs.lang === 'en') Locale.use('en-US', vantEn)
    else Locale.use('zh-CN', vantZh)
  })
}
