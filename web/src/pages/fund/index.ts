// The community fund (社区“微心愿”公益基金): the staff console's donations,
// payouts and approvals, ledger, reports and settings; the printable receipt (a
// page of its own); the public fund page (/fund, no login).
import type { WebModule } from '../../module'
import zhCN from './i18n/zh-CN'
import en from './i18n/en'

export default {
  name: 'fund',
  routes: {
    staff: [
      { path: 'fund/donations', name: 'fund-donations', component: () => import('./DonationsPage.vue'), meta: { title: 'fund.nav.donations' } },
      { path: 'fund/payouts', name: 'fund-payouts', component: () => import('./PayoutsPage.vue'), meta: { title: 'fund.nav.payouts' } },
      { path: 'fund/ledger', name: 'fund-ledger', component: () => import('./LedgerPage.vue'), meta: { title: 'fund.nav.ledger' } },
      { path: 'fund/report', name: 'fund-report', component: () => import('./ReportPage.vue'), meta: { title: 'fund.nav.report' } },
      { path: 'fund/settings', name: 'fund-settings', component: () => import('./SettingsPage.vue'), meta: { title: 'fund.nav.settings' } },
    ],
    pages: [
      { path: '/fund/receipts/:seq(\\d+)', name: 'fund-receipt', component: () => import('./ReceiptPage.vue'), meta: { title: 'fund.receipt.title' } },
      { path: '/fund', name: 'public-fund', component: () => import('./PublicFundPage.vue'), meta: { public: true, title: 'fund.public.title' } },
    ],
  },
  menu: {
    order: 30,
    label: 'fund.nav.group',
    testid: 'nav-fund',
    items: [
      { route: 'fund-donations' },
      { route: 'fund-payouts' },
      { route: 'fund-ledger' },
      { route: 'fund-report' },
      { route: 'fund-settings' },
      { route: 'public-fund', label: 'fund.nav.publicPage', testid: 'nav-fund-public' },
    ],
  },
  publicLinks: [{ order: 20, route: 'public-fund', label: 'fund.public.navFund', testid: 'public-nav-fund' }],
  messages: { 'zh-CN': zhCN, en },
} satisfies WebModule
