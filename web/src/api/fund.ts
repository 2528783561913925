// The community fund (社区“微心愿”公益基金): the shapes of the fund endpoints and
// the calls, all through the one API client; and the hash chain as docs/fund.md
// defines it, recomputed in the browser with Web Crypto.
import { api, buildUrl, communityPath, type Query } from './client'
import type { Id, ListPage } from './types'

/** One Idempotency-Key per form opening (donations, payouts, reversals). */
export { newIdempotencyKey } from './wishes'

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
  id: Id
  amount_fen: number
  from: string
  expense_account: string
  earmark: string
  memo: string
  payee: string
  requested_by: Id
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

export interface DonationInput {
  amount_fen: number
  method: DonationMethod
  donor_name?: string
  donor_kind?: FundDonorKind
  anonymous?: boolean
  earmark?: Earmark
  receipt_no?: string
  item?: string
  memo?: string
}

export interface DisbursementInput {
  amount_fen: number
  from: 'cash' | 'bank'
  expense: Expense
  earmark?: Earmark
  memo: string
  payee?: string
}

const base = (cid: Id, rest = '') => communityPath(cid, rest)
const idem = (key: string) => ({ headers: { 'Idempotency-Key': key } })

export const fundApi = {
  summary: (cid: Id) => api.get<FundSummary>(base(cid, '/fund')),
  entries: (cid: Id, query: Query = {}) => api.get<ListPage<FundEntry>>(base(cid, '/fund/entries'), query),
  entriesUrl: (cid: Id) => base(cid, '/fund/entries'),
  entry: (cid: Id, seq: Id) => api.get<FundEntry>(base(cid, `/fund/entries/${encodeURIComponent(String(seq))}`)),
  verify: (cid: Id) => api.get<{ ok: boolean; entries: number; first_bad: string | null }>(base(cid, '/fund/verify')),
  rules: (cid: Id) => api.get<FundRules>(base(cid, '/fund/rules')),
  saveRules: (cid: Id, markdown: string) => api.post<FundRules>(base(cid, '/fund/rules'), { markdown }),
  donate: (cid: Id, body: DonationInput, key: string) => api.post<FundEntry>(base(cid, '/fund/donations'), body, idem(key)),
  /** 201: posted (an entry); 202: a request waiting for approval. */
  disburse: (cid: Id, body: DisbursementInput, key: string) =>
    api.post<FundEntry | FundRequest>(base(cid, '/fund/disbursements'), body, idem(key)),
  requests: (cid: Id, query: Query = {}) => api.get<ListPage<FundRequest>>(base(cid, '/fund/requests'), query),
  approve: (cid: Id, id: Id) => api.post<FundRequest>(base(cid, `/fund/requests/${encodeURIComponent(String(id))}/approve`)),
  reject: (cid: Id, id: Id) => api.post<FundRequest>(base(cid, `/fund/requests/${encodeURIComponent(String(id))}/reject`)),
  reverse: (cid: Id, seq: Id, reason: string, key: string) =>
    api.post<FundEntry | FundRequest>(base(cid, `/fund/entries/${encodeURIComponent(String(seq))}/reverse`), { reason }, idem(key)),
  settings: (cid: Id) => api.get<FundSettingsState>(base(cid, '/fund/settings')),
  saveSettings: (cid: Id, body: FundSettings) => api.put<FundSettingsState>(base(cid, '/fund/settings'), body),
  approveChange: (cid: Id, id: Id) =>
    api.post<FundSettingsChange>(base(cid, `/fund/settings/changes/${encodeURIComponent(String(id))}/approve`)),
  rejectChange: (cid: Id, id: Id) =>
    api.post<FundSettingsChange>(base(cid, `/fund/settings/changes/${encodeURIComponent(String(id))}/reject`)),
  report: (cid: Id, year: number, month?: number) =>
    api.get<ListPage<ReportRow> & { year: number; month: number }>(base(cid, '/fund/report'), { year, month }),
  reportUrl: (cid: Id, year: number, month: number | undefined, format: 'xlsx' | 'csv') =>
    buildUrl(base(cid, '/fund/report'), { year, month, format }),
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
