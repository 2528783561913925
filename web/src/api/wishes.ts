// Micro-wishes (微心愿): the shapes of the wish endpoints and the calls, all
// through the one API client. Money is integer fen; times are UTC seconds.
import { api, communityPath, request, type Query } from './client'
import type { Id, ListPage } from './types'

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
  id: Id
  title: string
  story: string
  category: WishCategory
  urgency: WishUrgency
  estimated_fen: number
  compound_name: string | null
  deadline: string | null
  campaign_id: Id | null
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
  id: Id
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

export interface WishSettings {
  /** Active claims one donor account may hold at once. */
  max_open_claims: number
}

export interface WishPrivate {
  beneficiary_name: string | null
  address: string | null
  contact: string | null
  needs: string | null
}

/** A wish as staff see it. */
export interface StaffWish {
  id: Id
  title: string
  story: string
  category: WishCategory
  urgency: WishUrgency
  estimated_fen: number
  compound_id: Id | null
  compound_name: string | null
  deadline: string | null
  campaign_id: Id | null
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
  id: Id
  title: string
  starts_on: string
  ends_on: string
  fulfil_days: number
}

export interface WishInput {
  category: WishCategory
  urgency: WishUrgency
  title: string
  story: string
  beneficiary_name: string
  address?: string
  contact?: string
  needs?: string
  compound_id?: Id
  estimated_fen: number
  deadline?: string
  campaign_id?: Id
  consent: boolean
  source: 'online' | 'paper'
  paper_serial?: string
}

export interface ClaimInput {
  pledge: boolean
  anonymous?: boolean
  donor_kind?: WishDonorKind
  donor_name?: string
}

export interface ClaimResult {
  id: Id
  wish_id: Id
  status: string
  donor: string
  donor_kind: string
  contact_within_days: number
}

export interface FulfilInput {
  kind: 'goods' | 'cash'
  amount_fen?: number
  method?: PayMethod
}

/** A fresh Idempotency-Key: a random UUID (also where crypto.randomUUID is missing, on plain http). */
export function newIdempotencyKey(): string {
  const c = globalThis.crypto
  if (c && typeof c.randomUUID === 'function') return c.randomUUID()
  const b = new Uint8Array(16)
  if (c && typeof c.getRandomValues === 'function') c.getRandomValues(b)
  else for (let i = 0; i < 16; i++) b[i] = Math.floor(Math.random() * 256)
  b[6] = (b[6] & 0x0f) | 0x40
  b[8] = (b[8] & 0x3f) | 0x80
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

const base = (cid: Id, rest = '') => communityPath(cid, rest)

export const wishesApi = {
  /** Attach the photo of the signed paper form (JPEG or PNG). */
  uploadFormPhoto: (cid: Id, id: Id, file: Blob) => request<StaffWish>('POST', communityPath(cid, `/wishes/${id}/form-photo`), { file }),
  formPhotoUrl: (cid: Id, id: Id) => communityPath(cid, `/wishes/${id}/form-photo`),
  wall: (cid: Id, query: Query = {}) => api.get<WallPage>(base(cid, '/wishes'), query),
  campaigns: (cid: Id) => api.get<ListPage<WishCampaign>>(base(cid, '/wish-campaigns'), { limit: 100 }),
  createCampaign: (cid: Id, body: { title: string; starts_on: string; ends_on: string; fulfil_days?: number }) =>
    api.post<WishCampaign>(base(cid, '/wish-campaigns'), body),
  /** Staff get the full wish back; a resident {id, status}. */
  create: <T = StaffWish>(cid: Id, body: WishInput) => api.post<T>(base(cid, '/wishes'), body),
  manage: (cid: Id, query: Query = {}) => api.get<ListPage<StaffWish>>(base(cid, '/wishes/manage'), query),
  manageUrl: (cid: Id) => base(cid, '/wishes/manage'),
  get: (cid: Id, id: Id) => api.get<WishDetail>(base(cid, `/wishes/${encodeURIComponent(String(id))}`)),
  /** The wish with its sealed details: a POST (with the CSRF token), because the viewing is audited. */
  getPrivate: (cid: Id, id: Id) => api.post<WishDetail>(base(cid, `/wishes/${encodeURIComponent(String(id))}/private`)),
  verify: (cid: Id, id: Id, body: { method: 'phone' | 'visit'; note?: string }) =>
    api.post<WishDetail>(base(cid, `/wishes/${encodeURIComponent(String(id))}/verify`), body),
  decide: (cid: Id, id: Id, body: { decision: 'publish' | 'decline'; reason?: string; story?: string; title?: string }) =>
    api.post<WishDetail>(base(cid, `/wishes/${encodeURIComponent(String(id))}/decision`), body),
  claim: (cid: Id, id: Id, body: ClaimInput, idempotencyKey: string) =>
    api.post<ClaimResult>(base(cid, `/wishes/${encodeURIComponent(String(id))}/claims`), body, {
      headers: { 'Idempotency-Key': idempotencyKey },
    }),
  /** The claimer, or staff: let the active claim go, with a reason; the wish is open again. */
  releaseClaim: (cid: Id, id: Id, reason: string) =>
    api.post<WishDetail | { id: Id; status: string }>(base(cid, `/wishes/${encodeURIComponent(String(id))}/claims/release`), { reason }),
  blockedDonors: (cid: Id) => api.get<ListPage<BlockedDonor>>(base(cid, '/wish-donors')),
  blockDonor: (cid: Id, account: Id, reason: string, releaseClaims: boolean) =>
    api.post<DonorBlock>(base(cid, `/wish-donors/${encodeURIComponent(String(account))}/block`), { reason, release_claims: releaseClaims }),
  unblockDonor: (cid: Id, account: Id, reason: string) =>
    api.post<DonorBlock>(base(cid, `/wish-donors/${encodeURIComponent(String(account))}/unblock`), { reason }),
  settings: (cid: Id) => api.get<WishSettings>(base(cid, '/wish-settings')),
  saveSettings: (cid: Id, body: WishSettings) => api.put<WishSettings>(base(cid, '/wish-settings'), body),
  contact: (cid: Id, id: Id) => api.post<WishDetail>(base(cid, `/wishes/${encodeURIComponent(String(id))}/contact`)),
  fulfil: (cid: Id, id: Id, body: FulfilInput, idempotencyKey: string) =>
    api.post<unknown>(base(cid, `/wishes/${encodeURIComponent(String(id))}/fulfil`), body, {
      headers: { 'Idempotency-Key': idempotencyKey },
    }),
  confirm: (cid: Id, id: Id, body: { thank_you?: string }) =>
    api.post<{ id: Id; status: string }>(base(cid, `/wishes/${encodeURIComponent(String(id))}/confirm`), body),
}
