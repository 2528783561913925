// The registry (基础信息): the shapes of compounds, buildings, people,
// organisations, venues and staff, and the calls, through the one API client.
import { api, type BodyOf } from '../../api/client'
import type { Id, ListPage } from '../../api/types'

const C = '/api/v1/communities/{community_id}'

export interface Compound {
  id: number
  name: string
  kind: string
  address: string | null
  buildings: number
  residents: number
}

export interface Building {
  id: number
  compound_id: number
  name: string
  floors: number | null
}

export const PERSON_TAGS = ['elder', 'child', 'party_member', 'building_leader'] as const
export type PersonTag = (typeof PERSON_TAGS)[number]

export interface Person {
  id: number
  name: string
  gender: string | null
  birth_year: number | null
  phone: string | null
  id_number: string | null
  compound_id: number | null
  compound_name: string | null
  building_name: string | null
  room: string | null
  tags: string[]
  needy: boolean | null
}

export interface ImportRowError {
  line: number
  message: string
  fields?: Record<string, string>
}

export interface ImportReport {
  total: number
  imported: number
  failed: number
  errors: ImportRowError[]
}

export const ORGANISATION_KINDS = [
  'owners_committee',
  'property_company',
  'social_work_agency',
  'school',
  'firm',
  'law_office',
  'hospital',
  'association',
  'volunteer_team',
  'youth_centre',
  'party_group',
] as const

export interface Organisation {
  id: number
  name: string
  kind: string
  compound_id: number | null
  compound_name: string | null
  contact_name: string | null
}

export const VENUE_KINDS = ['plaza', 'market', 'party_home', 'activity_room', 'office'] as const satisfies readonly BodyOf<'post', `${typeof C}/venues`>['kind'][]

export interface Venue {
  id: number
  name: string
  kind: string
  compound_id: number | null
  address: string | null
}

export const CERTIFICATE_LEVELS = ['assistant', 'social_worker', 'senior'] as const

export interface StaffMember {
  id: number
  name: string
  position: string | null
  certificate_level: string | null
  certificate_no: string | null
}

export interface StaffList extends ListPage<StaffMember> {
  certified: number
  certificate_rate: number | null
}

export type CompoundInput = BodyOf<'post', `${typeof C}/compounds`>
export type PersonInput = BodyOf<'post', `${typeof C}/people`>
export type OrganisationInput = BodyOf<'post', `${typeof C}/organisations`>
export type VenueInput = BodyOf<'post', `${typeof C}/venues`>
export type StaffInput = BodyOf<'post', `${typeof C}/staff`>

const c = (cid: Id) => ({ community_id: cid })

export const registryApi = {
  /** The community's compounds for a choice (the first 100: the demo has 21). */
  compounds: (cid: Id): Promise<ListPage<Compound>> => api.get(`${C}/compounds`, { path: c(cid), query: { limit: 100, offset: 0 } }),
  createCompound: (cid: Id, body: CompoundInput): Promise<Compound> => api.post(`${C}/compounds`, { path: c(cid), body }),
  buildings: (cid: Id, compound: Id): Promise<ListPage<Building>> =>
    api.get(`${C}/compounds/{compound_id}/buildings`, { path: { community_id: cid, compound_id: compound } }),
  createBuilding: (cid: Id, compound: Id, body: { name: string; floors?: number }): Promise<Building> =>
    api.post(`${C}/compounds/{compound_id}/buildings`, { path: { community_id: cid, compound_id: compound }, body }),
  createPerson: (cid: Id, body: PersonInput): Promise<Person> => api.post(`${C}/people`, { path: c(cid), body }),
  /** People found by name, for a choice. */
  findPeople: (cid: Id, q: string): Promise<ListPage<Person>> =>
    api.get(`${C}/people`, { path: c(cid), query: { q: q.trim(), limit: 20, offset: 0 } }),
  importPeople: (cid: Id, csv: string): Promise<ImportReport> => api.post(`${C}/people/import`, { path: c(cid), text: csv }),
  /** The community's organisations for a choice. */
  organisations: (cid: Id): Promise<ListPage<Organisation>> =>
    api.get(`${C}/organisations`, { path: c(cid), query: { limit: 100, offset: 0 } }),
  createOrganisation: (cid: Id, body: OrganisationInput): Promise<Organisation> => api.post(`${C}/organisations`, { path: c(cid), body }),
  createVenue: (cid: Id, body: VenueInput): Promise<Venue> => api.post(`${C}/venues`, { path: c(cid), body }),
  createStaff: (cid: Id, body: StaffInput): Promise<StaffMember> => api.post(`${C}/staff`, { path: c(cid), body }),
}

declare module '../../ui/useList' {
  interface ListPages {
    '/compounds': ListPage<Compound>
    '/people': ListPage<Person>
    '/organisations': ListPage<Organisation>
    '/venues': ListPage<Venue>
    '/staff': StaffList
  }
}
