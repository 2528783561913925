// The community home of the staff console (/): key numbers and the chart.
import type { WebModule } from '../../module'
import zhCN from './i18n/zh-CN'
import en from './i18n/en'

export default {
  name: 'home',
  routes: {
    staff: [{ path: '', name: 'home', component: () => import('./HomePage.vue'), meta: { title: 'home.menu' } }],
  },
  menu: { order: 0, route: 'home' },
  messages: { 'zh-CN': zhCN, en },
} satisfies WebModule
