// The route table of the web pages: /login, the staff console under /, the
// resident shell under /m. Pages are split by route. Every page but /login needs
// a session; without one (GET /api/v1/session → 401) the router goes to /login.
import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { onUnauthorized } from './api/client'
import { clearSession, pickCommunity, probeSession, session } from './session'
import { wishMobileRoutes, wishStaffRoutes } from './pages/wishes/routes'
import { fundPrintRoutes, fundStaffRoutes } from './pages/fund/routes'
import { publicRoutes } from './pages/public/routes'
import { volunteerMobileRoutes, volunteerPageRoutes, volunteerStaffRoutes } from './pages/volunteers/routes'
import { grantRoutes, grantStaffRoutes } from './pages/grants/routes'

const routes: RouteRecordRaw[] = [
  {
    path: '/login',
    name: 'login',
    component: () => import('./pages/auth/LoginPage.vue'),
    meta: { public: true, title: 'auth.title' },
  },
  {
    path: '/',
    component: () => import('./pages/home/StaffLayout.vue'),
    children: [
      { path: '', name: 'home', component: () => import('./pages/home/HomePage.vue'), meta: { title: 'nav.home' } },
      {
        path: 'registry/compounds',
        name: 'compounds',
        component: () => import('./pages/registry/CompoundsPage.vue'),
        meta: { title: 'nav.compounds' },
      },
      {
        path: 'registry/people',
        name: 'people',
        component: () => import('./pages/registry/PeoplePage.vue'),
        meta: { title: 'nav.people' },
      },
      {
        path: 'registry/organisations',
        name: 'organisations',
        component: () => import('./pages/registry/OrganisationsPage.vue'),
        meta: { title: 'nav.organisations' },
      },
      {
        path: 'registry/venues',
        name: 'venues',
        component: () => import('./pages/registry/VenuesPage.vue'),
        meta: { title: 'nav.venues' },
      },
      {
        path: 'registry/staff',
        name: 'staff',
        component: () => import('./pages/registry/StaffPage.vue'),
        meta: { title: 'nav.staff' },
      },
      ...wishStaffRoutes,
      ...fundStaffRoutes,
      ...volunteerStaffRoutes,
      ...grantStaffRoutes,
    ],
  },
  {
    path: '/m',
    component: () => import('./pages/mobile/MobileShell.vue'),
    children: [
      { path: '', name: 'm-home', component: () => import('./pages/mobile/MobileHome.vue'), meta: { title: 'mobile.tabs.home' } },
      ...wishMobileRoutes,
      ...volunteerMobileRoutes,
      { path: 'me', name: 'm-me', component: () => import('./pages/mobile/MobileMe.vue'), meta: { title: 'mobile.tabs.me' } },
    ],
  },
  ...publicRoutes,
  ...fundPrintRoutes,
  ...volunteerPageRoutes,
  ...grantRoutes,
  { path: '/:pathMatch(.*)*', redirect: '/' },
]

export const router = createRouter({
  history: createWebHistory('/'),
  routes,
})

router.beforeEach(async (to) => {
  if (to.meta.public) return true
  if (!session.account) {
    let ok = false
    try {
      ok = await probeSession()
    } catch {
      ok = false // server unreachable: the login page says so when the person tries
    }
    if (!ok) return { name: 'login', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } }
  }
  if (session.communityId === null) {
    try {
      await pickCommunity()
    } catch {
      // the page shows the error when it loads its data
    }
  }
  return true
})

onUnauthorized(() => {
  clearSession()
  const here = router.currentRoute.value
  if (!here.meta.public) void router.push({ name: 'login', query: { redirect: here.fullPath } })
})

/** Where to go after signing in: the redirect target if it is a local path. */
export function afterLoginTarget(redirect: unknown): string {
  return typeof redirect === 'string' && redirect.startsWith('/') && !redirect.startsWith('//') ? redirect : '/'
}
