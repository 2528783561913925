// The micro-venture grant (微创投) endpoints, through the one API client. Money in
// integer fen, times in UTC seconds.
import { api, communityPath } from './client'
import type { Id } from './types'

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
  id: Id
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
  id: Id
  title: string
  summary: string
  plan: string | null
  beneficiaries: string | null
  budget_lines: BudgetLine[]
  requested_fen: number
  organisation_id: Id
  organisation_name: string
  eligible: boolean | null
  eligibility_reason?: string | null
  submitted_by?: Id
}

export interface ReviewRow {
  proposal_id: Id
  title: string
  reviewer_id: Id
  reviewer: string
  state: 'scored' | 'missing' | 'conflict'
  total: number | null
}

export interface LiveCounts {
  voters: number
  items: { proposal_id: Id; title: string; votes: number }[]
  at: number
}

export interface ResultRow {
  rank: number
  proposal_id: Id
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
  id: Id
  proposal_id: Id
  title?: string
  text: string
  answer: string | null
  created_at?: number
}

export interface GrantReport {
  id: Id
  proposal_id: Id
  title?: string
  period: string
  activities: string
  participants: number
  spending: Record<string, number>
  final: boolean
  status: string
  note?: string | null
}

export interface NewRound {
  name: string
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
}

export interface ProposalInput {
  organisation_id: Id
  title: string
  summary: string
  plan: string
  beneficiaries: string
  budget_lines: BudgetLine[]
  requested_fen: number
}

interface Items<T> {
  items: T[]
  total?: number
}

/** An organisation the caller may propose for (GET …/my-organisations). */
export interface MyOrganisation {
  id: Id
  name: string
  kind: string
}

const base = (cid: Id, rest = '') => communityPath(cid, `/grant-rounds${rest}`)
const r = (cid: Id, rid: Id, rest = '') => base(cid, `/${encodeURIComponent(String(rid))}${rest}`)

export const grantsApi = {
  rounds: (cid: Id) => api.get<Items<GrantRound>>(base(cid)),
  round: (cid: Id, rid: Id) => api.get<GrantRound>(r(cid, rid)),
  createRound: (cid: Id, body: NewRound) => api.post<GrantRound>(base(cid), body),
  setPhase: (cid: Id, rid: Id, phase: Phase) => api.post<GrantRound>(r(cid, rid, '/phase'), { phase }),

  myOrganisations: (cid: Id) => api.get<Items<MyOrganisation>>(communityPath(cid, '/my-organisations')),
  proposals: (cid: Id, rid: Id) => api.get<Items<Proposal>>(r(cid, rid, '/proposals')),
  createProposal: (cid: Id, rid: Id, body: ProposalInput) => api.post<Proposal>(r(cid, rid, '/proposals'), body),
  editProposal: (cid: Id, rid: Id, pid: Id, body: Partial<ProposalInput>) => api.patch<Proposal>(r(cid, rid, `/proposals/${pid}`), body),
  eligibility: (cid: Id, rid: Id, pid: Id, eligible: boolean, reason: string) =>
    api.post<unknown>(r(cid, rid, `/proposals/${pid}/eligibility`), { eligible, reason: reason || undefined }),

  addReviewer: (cid: Id, rid: Id, accountId: Id) => api.post<unknown>(r(cid, rid, '/reviewers'), { account_id: accountId }),
  reviews: (cid: Id, rid: Id) => api.get<{ items: ReviewRow[]; missing: number }>(r(cid, rid, '/reviews')),
  conflict: (cid: Id, rid: Id, pid: Id, reason: string) => api.post<unknown>(r(cid, rid, `/proposals/${pid}/conflict`), { reason }),
  score: (cid: Id, rid: Id, pid: Id, scores: Record<string, number>, comment: string) =>
    api.post<{ total: number }>(r(cid, rid, `/proposals/${pid}/scores`), { scores, comment }),

  votingCodes: (cid: Id, rid: Id, count: number) => api.post<{ codes: string[] }>(r(cid, rid, '/voting-codes'), { count }),
  redeem: (cid: Id, code: string) => api.post<{ round_id: Id; verified: boolean }>(communityPath(cid, '/voting-codes/redeem'), { code }),
  myVote: (cid: Id, rid: Id) => api.get<{ verified: boolean; voted: boolean }>(r(cid, rid, '/my-vote')),
  vote: (cid: Id, rid: Id, proposalIds: Id[]) => api.post<unknown>(r(cid, rid, '/votes'), { proposal_ids: proposalIds }),
  verifyVoter: (cid: Id, rid: Id, accountId: Id, personId: Id) =>
    api.post<unknown>(r(cid, rid, '/voters'), { account_id: accountId, person_id: personId }),
  liveUrl: (cid: Id, rid: Id) => r(cid, rid, '/live'),

  results: (cid: Id, rid: Id, preview = false) => api.get<Results>(r(cid, rid, '/results'), preview ? { preview: 1 } : undefined),
  publish: (cid: Id, rid: Id) => api.post<unknown>(r(cid, rid, '/results/publish')),

  paperBallot: (cid: Id, rid: Id, serial: string, personId: Id, proposalIds: Id[]) =>
    api.post<unknown>(r(cid, rid, '/paper-ballots'), { serial, person_id: personId, proposal_ids: proposalIds }),
  checkPaper: (cid: Id, rid: Id, serial: string, confirm: boolean) =>
    api.post<{ status: string }>(r(cid, rid, `/paper-ballots/${encodeURIComponent(serial)}/check`), { confirm }),

  objections: (cid: Id, rid: Id) => api.get<Items<Objection>>(r(cid, rid, '/objections')),
  object: (cid: Id, rid: Id, proposalId: Id, text: string) => api.post<Objection>(r(cid, rid, '/objections'), { proposal_id: proposalId, text }),
  answer: (cid: Id, rid: Id, oid: Id, answer: string) => api.post<unknown>(r(cid, rid, `/objections/${oid}/answer`), { answer }),

  reports: (cid: Id, rid: Id) => api.get<Items<GrantReport>>(r(cid, rid, '/reports')),
  fileReport: (
    cid: Id,
    rid: Id,
    pid: Id,
    body: { period: string; activities: string; participants: number; spending: Record<string, number>; final: boolean },
  ) => api.post<GrantReport>(r(cid, rid, `/proposals/${pid}/reports`), body),
  reviewReport: (cid: Id, rid: Id, reportId: Id, decision: 'accept' | 'return', note: string) =>
    api.post<{ status: string }>(r(cid, rid, `/reports/${reportId}/review`), { decision, note: note || undefined }),

  pay: (cid: Id, rid: Id, pid: Id, tranche: 'first' | 'final') =>
    request201or202(r(cid, rid, `/proposals/${pid}/payments`), { tranche }),
}

/** A payment answers 201 (posted) or 202 (waiting for a second staff member); the body says which. */
async function request201or202(path: string, body: unknown): Promise<{ amount_fen?: number; status?: string; [k: string]: unknown }> {
  return api.post(path, body)
}
