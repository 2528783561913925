// Volunteers (志愿服务): the staff console's register, trainings, activities with
// their shifts and rosters, hours and awards; the resident shell's 活动 tab and
// the volunteer's own pages (meta.tab names the tab to light, meta.back the page
// the nav bar's arrow goes to); the certificate's print sheet (staff) and its
// public check, and the public honour roll, on pages of their own.
import type { WebModule } from '../../module'
import zhCN from './i18n/zh-CN'
import en from './i18n/en'

export default {
  name: 'volunteers',
  routes: {
    staff: [
      {
        path: 'volunteers',
        name: 'vol-list',
        component: () => import('./VolunteersPage.vue'),
        meta: { title: 'volunteers.nav.list' },
      },
      {
        path: 'volunteers/trainings',
        name: 'vol-trainings',
        component: () => import('./TrainingsPage.vue'),
        meta: { title: 'volunteers.nav.trainings' },
      },
      {
        path: 'volunteers/activities',
        name: 'vol-activities',
        component: () => import('./ActivitiesPage.vue'),
        meta: { title: 'volunteers.nav.activities' },
      },
      {
        path: 'volunteers/activities/:id(\\d+)',
        name: 'vol-activity',
        component: () => import('./ActivityDetailPage.vue'),
        meta: { title: 'volunteers.nav.activities', menu: '/volunteers/activities' },
      },
      {
        path: 'volunteers/activities/:activityId(\\d+)/shifts/:shiftId(\\d+)',
        name: 'vol-roster',
        component: () => import('./RosterPage.vue'),
        meta: { title: 'volunteers.roster.title', menu: '/volunteers/activities' },
      },
      {
        path: 'volunteers/hours',
        name: 'vol-hours',
        component: () => import('./HoursPage.vue'),
        meta: { title: 'volunteers.nav.hours' },
      },
      {
        path: 'volunteers/awards',
        name: 'vol-awards',
        component: () => import('./AwardsPage.vue'),
        meta: { title: 'volunteers.nav.awards' },
      },
    ],
    mobile: [
      {
        path: 'activities',
        name: 'm-activities',
        component: () => import('./mobile/MobileActivities.vue'),
        meta: { title: 'volunteers.m.tab' },
      },
      {
        path: 'activities/:id(\\d+)',
        name: 'm-activity',
        component: () => import('./mobile/MobileActivityDetail.vue'),
        meta: { title: 'volunteers.m.activityTitle', tab: 'm-activities', back: '/m/activities' },
      },
      {
        path: 'volunteer/apply',
        name: 'm-vol-apply',
        component: () => import('./mobile/MobileApply.vue'),
        meta: { title: 'volunteers.apply.title', tab: 'm-me', back: '/m/me' },
      },
      {
        path: 'volunteer/shifts',
        name: 'm-vol-shifts',
        component: () => import('./mobile/MobileMyShifts.vue'),
        meta: { title: 'volunteers.m.myShifts', tab: 'm-me', back: '/m/me' },
      },
      {
        path: 'volunteer/hours',
        name: 'm-vol-hours',
        component: () => import('./mobile/MobileMyHours.vue'),
        meta: { title: 'volunteers.m.myHours', tab: 'm-me', back: '/m/me' },
      },
      {
        path: 'checkin',
        name: 'm-checkin',
        component: () => import('./mobile/MobileCheckin.vue'),
        meta: { title: 'volunteers.scan.title', tab: 'm-activities' },
      },
    ],
    pages: [
      {
        path: '/certificates/:id(\\d+)/print',
        name: 'vol-cert-print',
        component: () => import('./CertificatePrintPage.vue'),
        meta: { title: 'volunteers.cert.printTitle' },
      },
      {
        path: '/leaderboard',
        name: 'vol-leaderboard',
        component: () => import('./LeaderboardPage.vue'),
        meta: { public: true, title: 'volunteers.board.title' },
      },
      {
        path: '/verify/:serial',
        name: 'cert-verify',
        component: () => import('./VerifyPage.vue'),
        meta: { public: true, title: 'volunteers.verify.title' },
      },
    ],
  },
  menu: {
    order: 40,
    label: 'volunteers.nav.group',
    testid: 'nav-volunteers',
    open: true,
    items: [{ route: 'vol-list' }, { route: 'vol-trainings' }, { route: 'vol-activities' }, { route: 'vol-hours' }, { route: 'vol-awards' }],
  },
  tabs: [{ order: 20, route: 'm-activities', label: 'volunteers.m.tab', icon: 'calendar-o', testid: 'm-tab-activities' }],
  meCards: [{ order: 10, component: () => import('./mobile/VolunteerCard.vue') }],
  messages: { 'zh-CN': zhCN, en },
} satisfies WebModule
