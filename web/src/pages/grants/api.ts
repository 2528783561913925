// The micro-venture grant (微创投) endpoints, through the one API client. Money in
// integer fen, times in UTC seconds.
import { api, apiUrl, type BodyOf } from '../../api/client'
import type { Id, ListPage } from '../../api/types'

export const PHASES = ['submission', 'eligibility', 'scoring', 'voting', 'results', 'funded', 'reporting', 'closed'] as const
export type Phase = (typeof PHASES)[number]
export type VotingRule = 'single' | 'approval' | 'knapsack'

export interface RubricItem {
  key: string
  label: string
  weight: number
  max: number
}

export interface GrantRound {
  id: number
  name: string
  phase: Phase
  budget_fen: number
  max_award_fen: number
  submission_ends: number
  voting_opens: number
  voting_closes: number
  voting_rule: VotingRule
  approval_k: number
  knapsack_fen: number
  expert_weight: number
  public_weight: number
  min_expert: number
  first_tranche_pct?: number
  rubric: RubricItem[]
  formula: string
  results_published_at: number | null
}

export interface BudgetLine {
  item: string
  fen: number
}

export interface Proposal {
  id: number
  title: string
  summary: string
  plan: string | null
  beneficiaries: string | null
  budget_lines: BudgetLine[]
  requested_fen: number
  organisation_id: number
  organisation_name: string
  eligible: boolean | null
  eligibility_reason?: string | null
  submitted_by?: number
}

export interface ReviewRow {
  proposal_id: number
  title: string
  reviewer_id: number
  reviewer: string
  state: 'scored' | 'missing' | 'conflict'
  total: number | null
}

export interface LiveCounts {
  voters: number
  items: { proposal_id: number; title: string; votes: number }[]
  at: number
}

export interface ResultRow {
  rank: number
  proposal_id: number
  title: string
  organisation_name: string
  expert_score: number
  votes: number
  public_score: number
  final_score: number
  funded: boolean
  award_fen: number
  requested_fen: number
  reviews: number
  /** Each reviewer's total, unnamed (the expert score is their mean). */
  reviewer_scores?: number[]
}

export interface Results {
  items: ResultRow[]
  budget_fen: number
  expert_weight: number
  public_weight: number
  min_expert: number
  published: boolean
}

export interface Objection {
  id: number
  proposal_id: number
  title?: string
  text: string
  answer: string | null
  created_at?: number
}

export interface GrantReport {
  id: number
  proposal_id: number
  title?: string
  period: string
  activities: string
  participants: number
  spending: Record<string, number>
  final: boolean
  status: string
  note?: string | null
}

export type NewRound = BodyOf<'post', '/api/v1/communities/{community_id}/grant-rounds'>

export type ProposalInput = BodyOf<'post', '/api/v1/communities/{community_id}/grant-rounds/{round_id}/proposals'> & { budget_lines: BudgetLine[] }

/** An organisation the caller may propose for (GET …/my-organisations). */
export interface MyOrganisation {
  id: number
  name: string
  kind: string
}

const C = '/api/v1/communities/{community_id}'
const R = `${C}/grant-rounds/{round_id}` as const
const c = (cid: Id) => ({ community_id: cid })
const r = (cid: Id, rid: Id) => ({ community_id: cid, round_id: rid })
const p = (cid: Id, rid: Id, pid: Id) => ({ community_id: cid, round_id: rid, proposal_id: pid })

export const grantsApi = {
  rounds: (cid: Id): Promise<ListPage<GrantRound>> => api.get(`${C}/grant-rounds`, { path: c(cid) }),
  /** The organisations the caller represents (staff: every one); an org rep may not list /organisations. */
  myOrganisations: (cid: Id): Promise<ListPage<MyOrganisation>> => api.get(`${C}/my-organisations`, { path: c(cid) }),
  round: (cid: Id, rid: Id): Promise<GrantRound> => api.get(R, { path: r(cid, rid) }),
  createRound: (cid: Id, body: NewRound): Promise<GrantRound> => api.post(`${C}/grant-rounds`, { path: c(cid), body }),
  setPhase: (cid: Id, rid: Id, phase: BodyOf<'post', `${typeof R}/phase`>['phase']): Promise<GrantRound> =>
    api.post(`${R}/phase`, { path: r(cid, rid), body: { phase } }),

  proposals: (cid: Id, rid: Id): Promise<ListPage<Proposal>> => api.get(`${R}/proposals`, { path: r(cid, rid), query: { limit: 500 } }),
  createProposal: (cid: Id, rid: Id, body: ProposalInput): Promise<Proposal> => api.post(`${R}/proposals`, { path: r(cid, rid), body }),
  editProposal: (cid: Id, rid: Id, pid: Id, body: ProposalInput): Promise<Proposal> =>
    api.patch(`${R}/proposals/{proposal_id}`, { path: p(cid, rid, pid), body }),
  eligibility: (cid: Id, rid: Id, pid: Id, eligible: boolean, reason: string): Promise<unknown> =>
    api.post(`${R}/proposals/{proposal_id}/eligibility`, { path: p(cid, rid, pid), body: { eligible, reason: reason || undefined } }),

  addReviewer: (cid: Id, rid: Id, accountId: number): Promise<unknown> =>
    api.post(`${R}/reviewers`, { path: r(cid, rid), body: { account_id: accountId } }),
  reviews: (cid: Id, rid: Id): Promise<{ items: ReviewRow[]; missing: number }> => api.get(`${R}/reviews`, { path: r(cid, rid) }),
  conflict: (cid: Id, rid: Id, pid: Id, reason: string): Promise<unknown> =>
    api.post(`${R}/proposals/{proposal_id}/conflict`, { path: p(cid, rid, pid), body: { reason } }),
  score: (cid: Id, rid: Id, pid: Id, scores: Record<string, number>, comment: string): Promise<{ total: number }> =>
    api.post(`${R}/proposals/{proposal_id}/scores`, { path: p(cid, rid, pid), body: { scores, comment } }),

  votingCodes: (cid: Id, rid: Id, count: number): Promise<{ codes: string[] }> =>
    api.post(`${R}/voting-codes`, { path: r(cid, rid), body: { count } }),
  redeem: (cid: Id, code: string): Promise<{ round_id: Id; verified: boolean }> =>
    api.post(`${C}/voting-codes/redeem`, { path: c(cid), body: { code } }),
  myVote: (cid: Id, rid: Id): Promise<{ verified: boolean; voted: boolean }> => api.get(`${R}/my-vote`, { path: r(cid, rid) }),
  vote: (cid: Id, rid: Id, proposalIds: number[]): Promise<unknown> =>
    api.post(`${R}/votes`, { path: r(cid, rid), body: { proposal_ids: proposalIds } }),
  verifyVoter: (cid: Id, rid: Id, accountId: number, personId: number): Promise<unknown> =>
    api.post(`${R}/voters`, { path: r(cid, rid), body: { account_id: accountId, person_id: personId } }),
  /** The live count: Server-Sent Events. */
  liveUrl: (cid: Id, rid: Id) => apiUrl(`${R}/live`, { path: r(cid, rid) }),

  results: (cid: Id, rid: Id, preview = false): Promise<Results> =>
    api.get(`${R}/results`, { path: r(cid, rid), query: preview ? { preview: 1 } : {} }),
  publish: (cid: Id, rid: Id): Promise<unknown> => api.post(`${R}/results/publish`, { path: r(cid, rid) }),

  paperBallot: (cid: Id, rid: Id, serial: string, personId: number, proposalIds: number[]): Promise<unknown> =>
    api.post(`${R}/paper-ballots`, { path: r(cid, rid), body: { serial, person_id: personId, proposal_ids: proposalIds } }),
  checkPaper: (cid: Id, rid: Id, serial: string, confirm: boolean): Promise<{ status: string }> =>
    api.post(`${R}/paper-ballots/{serial}/check`, { path: { ...r(cid, rid), serial }, body: { confirm } }),

  /** The round's objections, for its public results page. */
  objections: (cid: Id, rid: Id): Promise<ListPage<Objection>> => api.get(`${R}/objections`, { path: r(cid, rid), query: { limit: 500 } }),
  object: (cid: Id, rid: Id, proposalId: number, text: string): Promise<Objection> =>
    api.post(`${R}/objections`, { path: r(cid, rid), body: { proposal_id: proposalId, text } }),
  answer: (cid: Id, rid: Id, oid: Id, answer: string): Promise<unknown> =>
    api.post(`${R}/objections/{objection_id}/answer`, { path: { ...r(cid, rid), objection_id: oid }, body: { answer } }),

  fileReport: (cid: Id, rid: Id, pid: Id, body: BodyOf<'post', `${typeof R}/proposals/{proposal_id}/reports`>): Promise<GrantReport> =>
    api.post(`${R}/proposals/{proposal_id}/reports`, { path: p(cid, rid, pid), body }),
  reviewReport: (cid: Id, rid: Id, reportId: Id, decision: 'accept' | 'return', note: string): Promise<{ status: string }> =>
    api.post(`${R}/reports/{report_id}/review`, { path: { ...r(cid, rid), report_id: reportId }, body: { decision, note: note || undefined } }),

  /** A payment answers 201 (posted) or 202 (waiting for a second staff member); the body says which. */
  pay: (cid: Id, rid: Id, pid: Id, tranche: 'first' | 'final'): Promise<{ amount_fen?: number; status?: string; [k: string]: unknown }> =>
    api.post(`${R}/proposals/{proposal_id}/payments`, { path: p(cid, rid, pid), body: { tranche } }),
}

declare module '../../ui/useList' {
  interface ListPages {
    '/grant-rounds': ListPage<GrantRound>
    '/grant-rounds/{round_id}/objections': ListPage<Objection>
    '/grant-rounds/{round_id}/reports': ListPage<GrantReport>
  }
}
