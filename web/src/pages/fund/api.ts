// The community fund (社区“微心愿”公益基金): the shapes of the fund endpoints and
// the calls, through the one API client; and the hash chain as docs/fund.md
// defines it, recomputed in the browser with Web Crypto.
import { api, idempotent, type BodyOf } from '../../api/client'
import type { Id, ListPage } from '../../api/types'

export const DONATION_METHODS = ['cash', 'wechat', 'bank', 'in_kind'] as const
export type DonationMethod = (typeof DONATION_METHODS)[number]
export const FUND_DONOR_KINDS = ['person', 'party_member', 'organisation'] as const
export type FundDonorKind = (typeof FUND_DONOR_KINDS)[number]
export const PAY_FROM = ['cash', 'bank'] as const
export const EXPENSES = ['wishes', 'grants', 'activities', 'in_kind'] as const
export type Expense = (typeof EXPENSES)[number]
export const EARMARK_TYPES = ['general', 'wish', 'project'] as const
export type EarmarkType = (typeof EARMARK_TYPES)[number]

export interface AmountByKind {
  code: string
  name: string
  fen: number
}

export interface FundAccount {
  code: string
  name: string
  name_zh?: string
  kind: string
  balance_fen: number
}

export interface FundSummary {
  balance_fen: number
  cash_fen: number
  bank_fen: number
  restricted_fen: number
  unrestricted_fen: number
  in_kind_fen: number
  entries: number
  head_hash: string
  income: AmountByKind[]
  expense: AmountByKind[]
  restricted: { earmark: string; fen: number }[]
  accounts: FundAccount[]
  series: { date: string; balance_fen: number }[]
}

export interface Posting {
  account: string
  amount_fen: number
  earmark: string
}

export interface FundEntry {
  seq: number
  at: number
  kind: string
  memo: string
  donor: string
  receipt_no: string | null
  reverses_seq: number | null
  prev_hash: string
  hash: string
  method: string | null
  postings: Posting[]
  amount_fen: number
  /** Staff only (GET …/fund/entries/{seq}, and the answer to a donation). */
  donor_name?: string | null
  created_by?: string
}

export interface FundRequest {
  id: number
  amount_fen: number
  from: string
  expense_account: string
  earmark: string
  memo: string
  payee: string
  requested_by: number
  requested_at: number
  approvals_needed: number
  status: 'pending' | 'posted' | 'rejected'
  entry_seq: number | null
  approvals: number
  requested_by_login: string | null
  /** A payout, or a reversal (of entry reverses_seq) that takes money out (docs/fund.md). */
  kind: 'payout' | 'reversal'
  reverses_seq: number | null
  /** Why it waits: above the threshold, or past it with the day's other money out (split payments). */
  rule: 'threshold' | 'daily_total'
}

export interface FundRules {
  version: number | null
  markdown: string
  html: string
  versions: { version: number; published_at: number; published_by: string }[]
}

export interface FundSettings {
  threshold_fen: number
  approvals_needed: number
}

/** A change of the settings that weakens the two-person rule, waiting for other staff members. */
export interface FundSettingsChange {
  id: Id
  threshold_fen: number
  approvals_needed: number
  old_threshold_fen: number
  old_approvals_needed: number
  requested_by: Id
  requested_by_login: string | null
  requested_at: number
  approvals_required: number
  approvals: number
  status: 'pending' | 'applied' | 'rejected' | 'superseded'
  decided_at: number | null
}

/** GET/PUT …/fund/settings: the settings in force, the threshold's maximum and the pending change. */
export interface FundSettingsState extends FundSettings {
  threshold_max_fen: number
  pending: FundSettingsChange | null
}

export interface ReportRow {
  code: string
  name: string
  debit_fen: number
  credit_fen: number
  net_fen: number
}

export interface Earmark {
  type: EarmarkType
  id?: number
}

/** A donation as the API takes it, with the earmark's shape (the document says "an object"). */
export type DonationInput = BodyOf<'post', '/api/v1/communities/{community_id}/fund/donations'> & { earmark?: Earmark }
export type DisbursementInput = BodyOf<'post', '/api/v1/communities/{community_id}/fund/disbursements'> & { earmark?: Earmark }

const C = '/api/v1/communities/{community_id}'
const c = (cid: Id) => ({ community_id: cid })

export const fundApi = {
  summary: (cid: Id): Promise<FundSummary> => api.get(`${C}/fund`, { path: c(cid) }),
  entries: (cid: Id, query: { limit: number; offset: number }): Promise<ListPage<FundEntry>> =>
    api.get(`${C}/fund/entries`, { path: c(cid), query }),
  entry: (cid: Id, seq: Id): Promise<FundEntry> => api.get(`${C}/fund/entries/{seq}`, { path: { community_id: cid, seq } }),
  rules: (cid: Id): Promise<FundRules> => api.get(`${C}/fund/rules`, { path: c(cid) }),
  saveRules: (cid: Id, markdown: string): Promise<FundRules> => api.post(`${C}/fund/rules`, { path: c(cid), body: { markdown } }),
  donate: (cid: Id, body: DonationInput, key: string): Promise<FundEntry> =>
    api.post(`${C}/fund/donations`, { path: c(cid), body, headers: idempotent(key) }),
  /** 201: posted (an entry); 202: a request waiting for approval. */
  disburse: (cid: Id, body: DisbursementInput, key: string): Promise<FundEntry | FundRequest> =>
    api.post(`${C}/fund/disbursements`, { path: c(cid), body, headers: idempotent(key) }),
  requests: (cid: Id, status: 'pending' | ''): Promise<ListPage<FundRequest>> =>
    api.get(`${C}/fund/requests`, { path: c(cid), query: { status, limit: 200 } }),
  approve: (cid: Id, id: Id): Promise<FundRequest> =>
    api.post(`${C}/fund/requests/{request_id}/approve`, { path: { community_id: cid, request_id: id } }),
  reject: (cid: Id, id: Id): Promise<FundRequest> =>
    api.post(`${C}/fund/requests/{request_id}/reject`, { path: { community_id: cid, request_id: id } }),
  /** 201: the reversing entry; 202: a request waiting for approval (it takes money out above the threshold). */
  reverse: (cid: Id, seq: Id, reason: string, key: string): Promise<FundEntry | FundRequest> =>
    api.post(`${C}/fund/entries/{seq}/reverse`, { path: { community_id: cid, seq }, body: { reason }, headers: idempotent(key) }),
  settings: (cid: Id): Promise<FundSettingsState> => api.get(`${C}/fund/settings`, { path: c(cid) }),
  /** 200: applied; 202: a weakening, pending until another staff member approves it (the state's pending). */
  saveSettings: (cid: Id, body: FundSettings): Promise<FundSettingsState> => api.put(`${C}/fund/settings`, { path: c(cid), body }),
  approveChange: (cid: Id, id: Id): Promise<FundSettingsChange> =>
    api.post(`${C}/fund/settings/changes/{change_id}/approve`, { path: { community_id: cid, change_id: id } }),
  rejectChange: (cid: Id, id: Id): Promise<FundSettingsChange> =>
    api.post(`${C}/fund/settings/changes/{change_id}/reject`, { path: { community_id: cid, change_id: id } }),
}

/** A request (202) rather than a posted entry (201)? */
export function isPendingRequest(x: FundEntry | FundRequest): x is FundRequest {
  return (x as FundRequest).status !== undefined && (x as FundEntry).seq === undefined
}

// ---- the chain (docs/fund.md) ----

export const GENESIS_HASH = '0'.repeat(64)

/** The text an entry's hash is computed from. */
export function chainText(e: FundEntry, prevHash: string): string {
  const lines = e.postings.map((p) => `${p.account} ${p.amount_fen} ${p.earmark}\n`).join('')
  return `${e.seq}\n${e.at}\n${e.kind}\n${e.memo}\n${e.donor}\n${e.receipt_no ?? ''}\n${e.reverses_seq ?? ''}\n${lines}${prevHash}`
}

/** Whether this browser can compute SHA-256 (Web Crypto exists only on secure origins). */
export function canVerifyInBrowser(): boolean {
  return typeof globalThis.crypto !== 'undefined' && typeof globalThis.crypto.subtle?.digest === 'function'
}

export async function sha256Hex(text: string): Promise<string> {
  const buf = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))
  return [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('')
}

export type ChainResult =
  | { ok: true; entries: number; head: string }
  | { ok: false; entries: number; badSeq: number; reason: 'hash' | 'prev' | 'order' | 'unbalanced' | 'head' }

/**
 * Pages through every public entry (oldest first) and recomputes the chain:
 * seq 1, 2, 3 …, postings that sum to zero, prev_hash = the hash before,
 * hash = SHA-256 of the chain text. head, if given (GET …/fund: entries and
 * head_hash), must be the hash of that entry.
 */
export async function verifyChain(
  cid: Id,
  opts: { head?: { seq: number; hash: string }; pageSize?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<ChainResult> {
  const limit = opts.pageSize ?? 500
  let prev = GENESIS_HASH
  let expectSeq = 1
  let done = 0
  let total = Infinity
  for (let offset = 0; offset < total; offset += limit) {
    const page = await fundApi.entries(cid, { limit, offset })
    total = page.total
    if (page.items.length === 0) break
    for (const e of page.items) {
      const bad = (reason: 'hash' | 'prev' | 'order' | 'unbalanced' | 'head'): ChainResult => ({ ok: false, entries: done, badSeq: e.seq, reason })
      if (e.seq !== expectSeq) return bad('order')
      if (e.postings.length < 2 || e.postings.reduce((s, p) => s + p.amount_fen, 0) !== 0) return bad('unbalanced')
      if (e.prev_hash !== prev) return bad('prev')
      const h = await sha256Hex(chainText(e, prev))
      if (h !== e.hash) return bad('hash')
      if (opts.head && opts.head.seq === e.seq && opts.head.hash !== h) return bad('head')
      prev = h
      expectSeq++
      done++
    }
    opts.onProgress?.(done, total)
  }
  return { ok: true, entries: done, head: prev }
}

declare module '../../ui/useList' {
  interface ListPages {
    '/fund/entries': ListPage<FundEntry>
    '/fund/requests': ListPage<FundRequest>
    '/fund/report': ListPage<ReportRow> & { year: number; month: number }
  }
}
