// Micro-wishes (微心愿): the staff console's intake, review, campaigns, the claim
// rules (a donor's limit, the blocked donors) and a wish's page; the resident shell's 心愿 tab (the wall, 提交心愿, 我的心愿); the
// public wish wall (/wall, no login).
import type { WebModule } from '../../module'
import zhCN from './i18n/zh-CN'
import en from './i18n/en'

export default {
  name: 'wishes',
  routes: {
    staff: [
      { path: 'wishes/intake', name: 'wish-intake', component: () => import('./IntakePage.vue'), meta: { title: 'wishes.nav.intake' } },
      { path: 'wishes/review', name: 'wish-review', component: () => import('./ReviewPage.vue'), meta: { title: 'wishes.nav.review' } },
      { path: 'wishes/campaigns', name: 'wish-campaigns', component: () => import('./CampaignsPage.vue'), meta: { title: 'wishes.nav.campaigns' } },
      { path: 'wishes/claims', name: 'wish-claim-rules', component: () => import('./ClaimRulesPage.vue'), meta: { title: 'wishes.nav.claimRules' } },
      { path: 'wishes/:id(\\d+)', name: 'wish-detail', component: () => import('./WishDetailPage.vue'), meta: { title: 'wishes.detail.title' } },
    ],
    mobile: [{ path: 'wishes', name: 'm-wishes', component: () => import('./MobileWishes.vue'), meta: { title: 'wishes.mobile.tab' } }],
    // ?c=ID chooses the community; without it, the signed-in person's or the first.
    pages: [
      { path: '/wall', name: 'public-wall', component: () => import('./PublicWallPage.vue'), meta: { public: true, title: 'wishes.public.wallTitle' } },
    ],
  },
  menu: {
    order: 20,
    label: 'wishes.nav.group',
    testid: 'nav-wishes',
    items: [
      { route: 'wish-intake' },
      { route: 'wish-review' },
      { route: 'wish-campaigns' },
      { route: 'wish-claim-rules' },
      { route: 'public-wall', label: 'wishes.nav.wall', testid: 'nav-wish-wall' },
    ],
  },
  tabs: [{ order: 10, route: 'm-wishes', label: 'wishes.mobile.tab', icon: 'gift-o', testid: 'm-tab-wishes' }],
  publicLinks: [
    { order: 10, route: 'public-wall', label: 'wishes.public.navWall', testid: 'public-nav-wall' },
    { order: 90, route: 'm-wishes', query: { tab: 'mine' }, label: 'wishes.public.navMine', signedIn: true },
  ],
  messages: { 'zh-CN': zhCN, en },
} satisfies WebModule
