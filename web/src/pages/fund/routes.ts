// The community fund's staff pages (children of '/', in the console's frame) and
// the printable donation receipt (its own page, without the frame, for printing).
import type { RouteRecordRaw } from 'vue-router'

export const fundStaffRoutes: RouteRecordRaw[] = [
  {
    path: 'fund/donations',
    name: 'fund-donations',
    component: () => import('./DonationsPage.vue'),
    meta: { title: 'fund.nav.donations' },
  },
  {
    path: 'fund/payouts',
    name: 'fund-payouts',
    component: () => import('./PayoutsPage.vue'),
    meta: { title: 'fund.nav.payouts' },
  },
  {
    path: 'fund/ledger',
    name: 'fund-ledger',
    component: () => import('./LedgerPage.vue'),
    meta: { title: 'fund.nav.ledger' },
  },
  {
    path: 'fund/report',
    name: 'fund-report',
    component: () => import('./ReportPage.vue'),
    meta: { title: 'fund.nav.report' },
  },
  {
    path: 'fund/settings',
    name: 'fund-settings',
    component: () => import('./SettingsPage.vue'),
    meta: { title: 'fund.nav.settings' },
  },
]

export const fundPrintRoutes: RouteRecordRaw[] = [
  {
    path: '/fund/receipts/:seq(\\d+)',
    name: 'fund-receipt',
    component: () => import('./ReceiptPage.vue'),
    meta: { title: 'fund.receipt.title' },
  },
]
