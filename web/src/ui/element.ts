// Element Plus for the staff console: its full stylesheet (components are
// imported one by one where they are used) and its own strings per UI language.
import 'element-plus/dist/index.css'
import { computed } from 'vue'
import zhCn from 'element-plus/es/locale/lang/zh-cn'
import en from 'element-plus/es/locale/lang/en'
import { prefs } from '../prefs'

export const elementLocale = computed(() => (prefs.lang === 'en' ? en : zhCn))
