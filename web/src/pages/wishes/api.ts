// Micro-wishes (微心愿): the shapes of the wish endpoints and the calls, all
// through the one API client. Money is integer fen; times are UTC seconds.
import { api, apiUrl, idempotent, type BodyOf, type QueryOf } from '../../api/client'
import type { Id, ListPage } from '../../api/types'

export const WISH_CATEGORIES = ['goods', 'cash', 'service'] as const
export type WishCategory = (typeof WISH_CATEGORIES)[number]
export const WISH_URGENCIES = ['red', 'yellow', 'blue'] as const
export type WishUrgency = (typeof WISH_URGENCIES)[number]
/** The statuses the public wall shows. */
export const WALL_STATUSES = ['published', 'claimed', 'fulfilled', 'closed'] as const
/** Every status, for staff. */
export const WISH_STATUSES = ['submitted', 'published', 'declined', 'claimed', 'fulfilled', 'closed'] as const
export type WishStatus = (typeof WISH_STATUSES)[number]
export const DONOR_KINDS = ['resident', 'party_member', 'organisation'] as const
export type WishDonorKind = (typeof DONOR_KINDS)[number]
export const PAY_METHODS = ['cash', 'wechat', 'bank'] as const
export type PayMethod = (typeof PAY_METHODS)[number]

/** A wish as the public sees it (the wall): never the beneficiary. */
export interface WallWish {
  id: number
  title: string
  story: string
  category: WishCategory
  urgency: WishUrgency
  estimated_fen: number
  compound_name: string | null
  deadline: string | null
  campaign_id: number | null
  campaign_title: string | null
  status: WishStatus
  donor: string | null
  thank_you: string | null
  published_at: number | null
  carried_over: boolean
}

export interface WallCounts {
  published: number
  claimed: number
  fulfilled: number
  fulfilled_value_fen: number
  value_fen: number
}

export interface WallPage extends ListPage<WallWish> {
  counts: WallCounts
}

export interface WishClaim {
  id: number
  donor: string
  donor_kind: WishDonorKind
  anonymous: boolean
  status: 'active' | 'released' | 'fulfilled'
  claimed_at: number
  contacted_at: number | null
  released_at: number | null
  release_reason: string | null
  fulfilled_at: number | null
  entered_by: string | null
  /** The donor's account (null for a claim staff entered on a campaign day). */
  donor_account_id: Id | null
  /** Who released it (staff or the claimer); null when the sweep did. */
  released_by: string | null
  donor_blocked: boolean
}

/** A donor account staff blocked from claiming. */
export interface BlockedDonor {
  account_id: Id
  login: string
  display_name: string | null
  blocked_at: number
  blocked_by: string | null
  reason: string | null
  open_claims: number
}

export interface DonorBlock {
  account_id: Id
  blocked: boolean
  blocked_at: number | null
  blocked_by: string | null
  reason: string | null
  released?: number
}

export type WishSettings = BodyOf<'put', '/api/v1/communities/{community_id}/wish-settings'>
// As the server shows them: a raise waits for a second staff member (`pending`, null if none).
export type WishSettingsShown = WishSettings & { pending?: { max_open_claims: number; requested_by_login: string | null; requested_at: number } | null }

export interface WishPrivate {
  beneficiary_name: string | null
  address: string | null
  contact: string | null
  needs: string | null
}

/** A wish as staff see it. */
export interface StaffWish {
  id: number
  title: string
  story: string
  category: WishCategory
  urgency: WishUrgency
  estimated_fen: number
  compound_id: number | null
  compound_name: string | null
  deadline: string | null
  campaign_id: number | null
  status: WishStatus
  source: 'online' | 'paper'
  paper_serial: string | null
  paper_photo: string | null
  keyed_by: string | null
  consent: boolean
  verified_by: string | null
  verified_at: number | null
  verify_method: 'phone' | 'visit' | null
  verify_note: string | null
  decline_reason: string | null
  thank_you: string | null
  fulfilled_kind: 'goods' | 'cash' | null
  created_at: number
}

export interface WishDetail extends StaffWish {
  claims: WishClaim[]
  private?: WishPrivate | null
}

export interface WishCampaign {
  id: number
  title: string
  starts_on: string
  ends_on: string
  fulfil_days: number
}

export type WishInput = BodyOf<'post', '/api/v1/communities/{community_id}/wishes'>

export type ClaimInput = BodyOf<'post', '/api/v1/communities/{community_id}/wishes/{wish_id}/claims'>

export interface ClaimResult {
  id: number
  wish_id: number
  status: string
  donor: string
  donor_kind: string
  contact_within_days: number
}

export type FulfilInput = BodyOf<'post', '/api/v1/communities/{community_id}/wishes/{wish_id}/fulfil'>

const C = '/api/v1/communities/{community_id}'
const c = (cid: Id) => ({ community_id: cid })
const w = (cid: Id, id: Id) => ({ community_id: cid, wish_id: id })

export const wishesApi = {
  /** Attach the photo of the signed paper form (JPEG or PNG). */
  uploadFormPhoto: (cid: Id, id: Id, file: Blob): Promise<StaffWish> => api.post(`${C}/wishes/{wish_id}/form-photo`, { path: w(cid, id), file }),
  formPhotoUrl: (cid: Id, id: Id) => apiUrl(`${C}/wishes/{wish_id}/form-photo`, { path: w(cid, id) }),
  wall: (cid: Id, query: QueryOf<'get', `${typeof C}/wishes`> = {}): Promise<WallPage> => api.get(`${C}/wishes`, { path: c(cid), query }),
  campaigns: (cid: Id): Promise<ListPage<WishCampaign>> => api.get(`${C}/wish-campaigns`, { path: c(cid), query: { limit: 100 } }),
  createCampaign: (cid: Id, body: BodyOf<'post', `${typeof C}/wish-campaigns`>): Promise<WishCampaign> =>
    api.post(`${C}/wish-campaigns`, { path: c(cid), body }),
  /** Staff get the full wish back; a resident {id, status}. */
  create: <T = StaffWish>(cid: Id, body: WishInput): Promise<T> => api.post(`${C}/wishes`, { path: c(cid), body }),
  /** The open and claimed wishes, for a choice (a donation's earmark). */
  manage: (cid: Id, status: WishStatus): Promise<ListPage<StaffWish>> =>
    api.get(`${C}/wishes/manage`, { path: c(cid), query: { status, limit: 200 } }),
  get: (cid: Id, id: Id): Promise<WishDetail> => api.get(`${C}/wishes/{wish_id}`, { path: w(cid, id) }),
  /** The wish with its sealed details: a POST (with the CSRF token), because the viewing is audited. */
  getPrivate: (cid: Id, id: Id): Promise<WishDetail> => api.post(`${C}/wishes/{wish_id}/private`, { path: w(cid, id) }),
  verify: (cid: Id, id: Id, body: BodyOf<'post', `${typeof C}/wishes/{wish_id}/verify`>): Promise<WishDetail> =>
    api.post(`${C}/wishes/{wish_id}/verify`, { path: w(cid, id), body }),
  decide: (cid: Id, id: Id, body: BodyOf<'post', `${typeof C}/wishes/{wish_id}/decision`>): Promise<WishDetail> =>
    api.post(`${C}/wishes/{wish_id}/decision`, { path: w(cid, id), body }),
  claim: (cid: Id, id: Id, body: ClaimInput, idempotencyKey: string): Promise<ClaimResult> =>
    api.post(`${C}/wishes/{wish_id}/claims`, { path: w(cid, id), body, headers: idempotent(idempotencyKey) }),
  /** The claimer, or staff: let the active claim go, with a reason; the wish is open again. */
  releaseClaim: (cid: Id, id: Id, reason: string): Promise<WishDetail | { id: Id; status: string }> =>
    api.post(`${C}/wishes/{wish_id}/claims/release`, { path: w(cid, id), body: { reason } }),
  blockedDonors: (cid: Id): Promise<ListPage<BlockedDonor>> => api.get(`${C}/wish-donors`, { path: c(cid) }),
  blockDonor: (cid: Id, account: Id, reason: string, releaseClaims: boolean): Promise<DonorBlock> =>
    api.post(`${C}/wish-donors/{account_id}/block`, { path: { community_id: cid, account_id: account }, body: { reason, release_claims: releaseClaims } }),
  unblockDonor: (cid: Id, account: Id, reason: string): Promise<DonorBlock> =>
    api.post(`${C}/wish-donors/{account_id}/unblock`, { path: { community_id: cid, account_id: account }, body: { reason } }),
  settings: (cid: Id): Promise<WishSettingsShown> => api.get(`${C}/wish-settings`, { path: c(cid) }),
  saveSettings: (cid: Id, body: WishSettings): Promise<WishSettingsShown> => api.put(`${C}/wish-settings`, { path: c(cid), body }),
  contact: (cid: Id, id: Id): Promise<WishDetail> => api.post(`${C}/wishes/{wish_id}/contact`, { path: w(cid, id) }),
  fulfil: (cid: Id, id: Id, body: FulfilInput, idempotencyKey: string): Promise<unknown> =>
    api.post(`${C}/wishes/{wish_id}/fulfil`, { path: w(cid, id), body, headers: idempotent(idempotencyKey) }),
  confirm: (cid: Id, id: Id, body: { thank_you?: string }): Promise<{ id: Id; status: string }> =>
    api.post(`${C}/wishes/{wish_id}/confirm`, { path: w(cid, id), body }),
}

declare module '../../ui/useList' {
  interface ListPages {
    '/wishes/manage': ListPage<StaffWish>
    '/wish-campaigns': ListPage<WishCampaign>
  }
}
