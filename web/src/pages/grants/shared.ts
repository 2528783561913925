// Shared bits of the micro-venture grant pages: labels, the formula in words,
// and the messages of a refused vote.
import { ApiError, errorMessage } from '../../api/client'
import { PHASES, type GrantRound, type Phase } from './api'
import { codeLabel, t } from '../../i18n'
import { formatFen } from '../../ui/format'

export function phaseLabel(p: string): string {
  return codeLabel('grants.phases', p)
}

/** The phase after this one (never the first: a round is created in it). */
export function nextPhase(p: Phase): Exclude<Phase, 'submission'> | null {
  const i = PHASES.indexOf(p)
  return i >= 0 && i < PHASES.length - 1 ? (PHASES[i + 1] as Exclude<Phase, 'submission'>) : null
}

export function ruleLabel(r: GrantRound): string {
  if (r.voting_rule === 'approval') return t('grants.rules.approval', { k: r.approval_k })
  if (r.voting_rule === 'knapsack') return t('grants.rules.knapsack', { budget: formatFen(r.knapsack_fen) })
  return t('grants.rules.single')
}

export function formulaText(r: { expert_weight: number; public_weight: number; min_expert: number }): string {
  return t('grants.round.formulaText', { ew: r.expert_weight, pw: r.public_weight, min: r.min_expert })
}

/** The message for a refused vote or code, in the page's language when the code is known. */
export function voteError(e: unknown): string {
  if (e instanceof ApiError) {
    const known: Record<string, string> = {
      code_used: 'grants.vote.codeUsed',
      code_unknown: 'grants.vote.codeUnknown',
      already_voted: 'grants.vote.alreadyVoted',
      not_verified_voter: 'grants.vote.notVerifiedError',
      voting_closed: 'grants.vote.closed',
    }
    if (known[e.code]) return t(known[e.code])
    const field = Object.values(e.fields)[0]
    if (field) return field
  }
  return errorMessage(e)
}

