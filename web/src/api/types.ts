// The shapes of the linli HTTP API (v1) that the web pages use.
export type Id = number | string

export interface RoleGrant {
  community_id: Id
  role: string
}

export interface Account {
  id: Id
  login: string
  display_name: string
  roles: RoleGrant[]
  global_roles: string[]
}

export interface SessionInfo {
  account: Account
  csrf_token: string
}

export interface ListPage<T> {
  items: T[]
  total: number
}

export interface CommunitySummary {
  id: Id
  name: string
  town_id: Id
  town_name: string
  district_name: string
}

export interface CommunityStats {
  residents: number
  compounds: number
  buildings: number
  organisations: number
  venues: number
  staff: number
  volunteers: number | null
  fund_balance_fen: number | null
}

export interface CommunityDetail {
  id: Id
  name: string
  town_name: string
  district_name: string
  stats: CommunityStats
}

export interface Compound {
  id: Id
  name: string
  kind: string
  address: string | null
  buildings: number
  residents: number
}

export interface Building {
  id: Id
  compound_id: Id
  name: string
  floors: number | null
}

export const PERSON_TAGS = ['elder', 'child', 'party_member', 'building_leader'] as const
export type PersonTag = (typeof PERSON_TAGS)[number]

export interface Person {
  id: Id
  name: string
  gender: string | null
  birth_year: number | null
  phone: string | null
  id_number: string | null
  compound_id: Id | null
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
  id: Id
  name: string
  kind: string
  compound_id: Id | null
  compound_name: string | null
  contact_name: string | null
}

export const VENUE_KINDS = ['plaza', 'market', 'party_home', 'activity_room', 'office'] as const

export interface Venue {
  id: Id
  name: string
  kind: string
  compound_id: Id | null
  address: string | null
}

export const CERTIFICATE_LEVELS = ['assistant', 'social_worker', 'senior'] as const

export interface StaffMember {
  id: Id
  name: string
  position: string | null
  certificate_level: string | null
  certificate_no: string | null
}

export interface StaffList extends ListPage<StaffMember> {
  certified: number
  certificate_rate: number | null
}
