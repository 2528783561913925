// The route table of the web pages: the staff console's frame under /, the
// resident shell's under /m, and the pages of their own (the login, public pages,
// print sheets) — each module's routes, as its pages/<module>/index.ts declares
// them (gathered in modules.ts). Pages are split by route. Every page but the
// public ones (meta.public) needs a session; without one (GET /api/v1/session →
// 401) the router goes to /login.
import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { onUnauthorized } from './api/client'
import { clearSession, pickCommunity, probeSession, session } from './session'
import { mobileRoutes, pageRoutes, staffRoutes } from './modules'

const routes: RouteRecordRaw[] = [
  { path: '/', component: () => import('./frames/StaffLayout.vue'), children: staffRoutes },
  { path: '/m', component: () => import('./frames/MobileShell.vue'), children: mobileRoutes },
  ...pageRoutes,
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
