// The resident shell's own tabs: 首页 (the community's numbers) and 我的 (the
// account, language, large text, and the modules' cards). The shell itself is
// frames/MobileShell.vue; the staff menu links to it.
import type { WebModule } from '../../module'
import zhCN from './i18n/zh-CN'
import en from './i18n/en'

export default {
  name: 'mobile',
  routes: {
    mobile: [
      { path: '', name: 'm-home', component: () => import('./MobileHome.vue'), meta: { title: 'mobile.tabs.home' } },
      { path: 'me', name: 'm-me', component: () => import('./MobileMe.vue'), meta: { title: 'mobile.tabs.me' } },
    ],
  },
  menu: { order: 100, route: 'm-home', label: 'mobile.menu', testid: 'nav-mobile' },
  tabs: [
    { order: 0, route: 'm-home', label: 'mobile.tabs.home', icon: 'home-o', testid: 'm-tab-home' },
    { order: 100, route: 'm-me', label: 'mobile.tabs.me', icon: 'user-o', testid: 'm-tab-me' },
  ],
  messages: { 'zh-CN': zhCN, en },
} satisfies WebModule
