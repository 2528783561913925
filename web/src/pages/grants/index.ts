// Micro-venture grants (微创投): the staff console's rounds, a round's work tab by
// tab, the reviewers' scoring and the proposals; the public pages (no login to
// look: the rounds, a round with its vote and live count, the results) and the
// printable sheet of voting codes, on pages of their own.
import type { WebModule } from '../../module'
import zhCN from './i18n/zh-CN'
import en from './i18n/en'

export default {
  name: 'grants',
  routes: {
    staff: [
      {
        path: 'grants/rounds',
        name: 'grant-rounds',
        component: () => import('./StaffRoundsPage.vue'),
        meta: { title: 'grants.nav.rounds' },
      },
      {
        path: 'grants/rounds/:id(\\d+)',
        name: 'grant-round',
        component: () => import('./StaffRoundPage.vue'),
        meta: { title: 'grants.nav.rounds', menu: '/grants/rounds' },
      },
      {
        path: 'grants/review',
        name: 'grant-review',
        component: () => import('./ReviewerPage.vue'),
        meta: { title: 'grants.nav.review' },
      },
      {
        path: 'grants/propose',
        name: 'grant-propose',
        component: () => import('./ProposePage.vue'),
        meta: { title: 'grants.nav.propose' },
      },
    ],
    pages: [
      {
        path: '/grants',
        name: 'public-grants',
        component: () => import('./PublicRoundsPage.vue'),
        meta: { public: true, title: 'grants.public.title' },
      },
      {
        path: '/grants/:id(\\d+)',
        name: 'public-grant',
        component: () => import('./PublicRoundPage.vue'),
        meta: { public: true, title: 'grants.public.title' },
      },
      {
        path: '/grants/:id(\\d+)/results',
        name: 'public-grant-results',
        component: () => import('./PublicResultsPage.vue'),
        meta: { public: true, title: 'grants.results.title' },
      },
      {
        path: '/grants/:id(\\d+)/codes',
        name: 'grant-codes-print',
        component: () => import('./CodesPrintPage.vue'),
        meta: { title: 'grants.print.title' },
      },
    ],
  },
  menu: {
    order: 50,
    label: 'grants.nav.group',
    testid: 'nav-grants',
    items: [
      { route: 'grant-rounds' },
      { route: 'grant-review' },
      { route: 'grant-propose' },
      { route: 'public-grants', label: 'grants.nav.publicPage', testid: 'nav-grant-public' },
    ],
  },
  tabs: [{ order: 30, route: 'public-grants', label: 'grants.nav.group', icon: 'flag-o', testid: 'm-tab-grants' }],
  messages: { 'zh-CN': zhCN, en },
} satisfies WebModule
