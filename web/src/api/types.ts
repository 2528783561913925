// The shapes of the answers every part of the web pages shares: the session, a
// page of a list, communities. Each module's own shapes are in its api.ts.
/** An identifier as a path parameter: a number from an answer, or text from the address. */
export type Id = number | string

export interface RoleGrant {
  community_id: number
  role: string
}

export interface Account {
  id: number
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
  id: number
  name: string
  town_id: number
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
  id: number
  name: string
  town_name: string
  district_name: string
  stats: CommunityStats
}
