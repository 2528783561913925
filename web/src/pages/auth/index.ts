// Signing in (/login), a page of its own.
import type { WebModule } from '../../module'
import zhCN from './i18n/zh-CN'
import en from './i18n/en'

export default {
  name: 'auth',
  routes: {
    pages: [
      {
        path: '/login',
        name: 'login',
        component: () => import('./LoginPage.vue'),
        meta: { public: true, title: 'auth.title' },
      },
    ],
  },
  messages: { 'zh-CN': zhCN, en },
} satisfies WebModule
