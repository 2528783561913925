// Entry point: preferences, i18n, router, then the app.
import { createApp } from 'vue'
import App from './App.vue'
import { i18n } from './i18n'
import { installPrefs } from './prefs'
import { router } from './router'
import './styles/base.css'
import './ui/page.css'

installPrefs()
createApp(App).use(i18n).use(router).mount('#app')
