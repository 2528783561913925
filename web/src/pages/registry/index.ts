// The registry (基础信息): compounds with their buildings, people, organisations,
// venues and staff, in the staff console.
import type { WebModule } from '../../module'
import zhCN from './i18n/zh-CN'
import en from './i18n/en'

export default {
  name: 'registry',
  routes: {
    staff: [
      { path: 'registry/compounds', name: 'compounds', component: () => import('./CompoundsPage.vue'), meta: { title: 'registry.nav.compounds' } },
      { path: 'registry/people', name: 'people', component: () => import('./PeoplePage.vue'), meta: { title: 'registry.nav.people' } },
      {
        path: 'registry/organisations',
        name: 'organisations',
        component: () => import('./OrganisationsPage.vue'),
        meta: { title: 'registry.nav.organisations' },
      },
      { path: 'registry/venues', name: 'venues', component: () => import('./VenuesPage.vue'), meta: { title: 'registry.nav.venues' } },
      { path: 'registry/staff', name: 'staff', component: () => import('./StaffPage.vue'), meta: { title: 'registry.nav.staff' } },
    ],
  },
  menu: {
    order: 10,
    label: 'registry.nav.group',
    testid: 'nav-registry',
    open: true,
    items: [{ route: 'compounds' }, { route: 'people' }, { route: 'organisations' }, { route: 'venues' }, { route: 'staff' }],
  },
  messages: { 'zh-CN': zhCN, en },
} satisfies WebModule
