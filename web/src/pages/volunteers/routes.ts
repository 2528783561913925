// The volunteer (志愿服务) pages: the staff console's (children of '/'), the
// resident shell's 活动 tab and volunteer pages (children of '/m'; meta.tab
// names the tab to light, meta.back the page the nav bar's arrow goes to), and
// the certificate pages outside both frames (print: staff; verify: public).
import type { RouteRecordRaw } from 'vue-router'

export const volunteerStaffRoutes: RouteRecordRaw[] = [
  {
    path: 'volunteers',
    name: 'vol-list',
    component: () => import('./VolunteersPage.vue'),
    meta: { title: 'vol.nav.list' },
  },
  {
    path: 'volunteers/trainings',
    name: 'vol-trainings',
    component: () => import('./TrainingsPage.vue'),
    meta: { title: 'vol.nav.trainings' },
  },
  {
    path: 'volunteers/activities',
    name: 'vol-activities',
    component: () => import('./ActivitiesPage.vue'),
    meta: { title: 'vol.nav.activities' },
  },
  {
    path: 'volunteers/activities/:id(\\d+)',
    name: 'vol-activity',
    component: () => import('./ActivityDetailPage.vue'),
    meta: { title: 'vol.nav.activities', menu: '/volunteers/activities' },
  },
  {
    path: 'volunteers/activities/:activityId(\\d+)/shifts/:shiftId(\\d+)',
    name: 'vol-roster',
    component: () => import('./RosterPage.vue'),
    meta: { title: 'vol.roster.title', menu: '/volunteers/activities' },
  },
  {
    path: 'volunteers/hours',
    name: 'vol-hours',
    component: () => import('./HoursPage.vue'),
    meta: { title: 'vol.nav.hours' },
  },
  {
    path: 'volunteers/awards',
    name: 'vol-awards',
    component: () => import('./AwardsPage.vue'),
    meta: { title: 'vol.nav.awards' },
  },
]

export const volunteerMobileRoutes: RouteRecordRaw[] = [
  {
    path: 'activities',
    name: 'm-activities',
    component: () => import('./mobile/MobileActivities.vue'),
    meta: { title: 'mobile.tabs.activities' },
  },
  {
    path: 'activities/:id(\\d+)',
    name: 'm-activity',
    component: () => import('./mobile/MobileActivityDetail.vue'),
    meta: { title: 'vol.m.activityTitle', tab: 'm-activities', back: '/m/activities' },
  },
  {
    path: 'volunteer/apply',
    name: 'm-vol-apply',
    component: () => import('./mobile/MobileApply.vue'),
    meta: { title: 'vol.apply.title', tab: 'm-me', back: '/m/me' },
  },
  {
    path: 'volunteer/shifts',
    name: 'm-vol-shifts',
    component: () => import('./mobile/MobileMyShifts.vue'),
    meta: { title: 'vol.m.myShifts', tab: 'm-me', back: '/m/me' },
  },
  {
    path: 'volunteer/hours',
    name: 'm-vol-hours',
    component: () => import('./mobile/MobileMyHours.vue'),
    meta: { title: 'vol.m.myHours', tab: 'm-me', back: '/m/me' },
  },
  {
    path: 'checkin',
    name: 'm-checkin',
    component: () => import('./mobile/MobileCheckin.vue'),
    meta: { title: 'vol.scan.title', tab: 'm-activities' },
  },
]

export const volunteerPageRoutes: RouteRecordRaw[] = [
  {
    path: '/certificates/:id(\\d+)/print',
    name: 'vol-cert-print',
    component: () => import('./CertificatePrintPage.vue'),
    meta: { title: 'vol.cert.printTitle' },
  },
  {
    path: '/leaderboard',
    name: 'vol-leaderboard',
    component: () => import('./LeaderboardPage.vue'),
    meta: { public: true, title: 'vol.board.title' },
  },
  {
    path: '/verify/:serial',
    name: 'cert-verify',
    component: () => import('./VerifyPage.vue'),
    meta: { public: true, title: 'vol.verify.title' },
  },
]
