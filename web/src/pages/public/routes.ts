// The public pages (no login: meta.public): the wish wall and the fund page.
// ?c=ID chooses the community; without it, the signed-in person's or the first.
import type { RouteRecordRaw } from 'vue-router'

export const publicRoutes: RouteRecordRaw[] = [
  {
    path: '/wall',
    name: 'public-wall',
    component: () => import('./PublicWallPage.vue'),
    meta: { public: true, title: 'wishes.public.wallTitle' },
  },
  {
    path: '/fund',
    name: 'public-fund',
    component: () => import('./PublicFundPage.vue'),
    meta: { public: true, title: 'fund.public.title' },
  },
]
