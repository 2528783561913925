// The micro-venture grant (微创投) pages: the staff console's (children of '/'),
// the public pages (no login to look: meta.public) and the printable sheet of
// voting codes (its own page, without the console's frame).
import type { RouteRecordRaw } from 'vue-router'

export const grantStaffRoutes: RouteRecordRaw[] = [
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
]

export const grantRoutes: RouteRecordRaw[] = [
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
]
