// The micro-wish (微心愿) pages: the staff console's (children of '/') and the
// resident shell's 心愿 tab (a child of '/m').
import type { RouteRecordRaw } from 'vue-router'

export const wishStaffRoutes: RouteRecordRaw[] = [
  {
    path: 'wishes/intake',
    name: 'wish-intake',
    component: () => import('./IntakePage.vue'),
    meta: { title: 'wishes.nav.intake' },
  },
  {
    path: 'wishes/review',
    name: 'wish-review',
    component: () => import('./ReviewPage.vue'),
    meta: { title: 'wishes.nav.review' },
  },
  {
    path: 'wishes/campaigns',
    name: 'wish-campaigns',
    component: () => import('./CampaignsPage.vue'),
    meta: { title: 'wishes.nav.campaigns' },
  },
  {
    path: 'wishes/claims',
    name: 'wish-claim-rules',
    component: () => import('./ClaimRulesPage.vue'),
    meta: { title: 'wishes.nav.claimRules' },
  },
  {
    path: 'wishes/:id(\\d+)',
    name: 'wish-detail',
    component: () => import('./WishDetailPage.vue'),
    meta: { title: 'wishes.detail.title' },
  },
]

export const wishMobileRoutes: RouteRecordRaw[] = [
  {
    path: 'wishes',
    name: 'm-wishes',
    component: () => import('./MobileWishes.vue'),
    meta: { title: 'mobile.tabs.wishes' },
  },
]
