// Shared bits of the micro-venture grant pages: labels, the formula in words,
// times in China Standard Time and yuan typed in as integer fen.
import { ApiError, errorMessage } from '../../api/client'
import { PHASES, type GrantRound, type Phase } from '../../api/grants'
import { t } from '../../i18n'
import { formatFen } from '../../format'
import { prefs } from '../../prefs'

export function phaseLabel(p: string): string {
  return (PHASES as readonly string[]).includes(p) ? t(`grants.phases.${p}`) : p
}

export function nextPhase(p: Phase): Phase | null {
  const i = PHASES.indexOf(p)
  return i >= 0 && i < PHASES.length - 1 ? PHASES[i + 1] : null
}

export function ruleLabel(r: GrantRound): string {
  if (r.voting_rule === 'approval') return t('grants.rules.approval', { k: r.approval_k })
  if (r.voting_rule === 'knapsack') return t('grants.rules.knapsack', { budget: formatFen(r.knapsack_fen) })
  return t('grants.rules.single')
}

export function formulaText(r: { expert_weight: number; public_weight: number; min_expert: number }): string {
  return t('grants.round.formulaText', { ew: r.expert_weight, pw: r.public_weight, min: r.min_expert })
}

/** 2016-11-05 14:30 in China Standard Time; null → —. */
export function cstTime(sec: number | null | undefined): string {
  if (sec === null || sec === undefined || !Number.isFinite(sec)) return '—'
  return new Intl.DateTimeFormat(prefs.lang === 'en' ? 'en-GB' : 'zh-CN', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(new Date(sec * 1000))
}

/** A score with at most 3 decimals ("84.412", "90.55", "100"). */
export function score(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—'
  return String(Math.round(n * 1000) / 1000)
}

/** "1,234.56" → 123456 (integer fen, no floating point); anything else → null. */
export function yuanToFen(text: string | number | null | undefined): number | null {
  if (text === null || text === undefined) return null
  const s = String(text).trim().replace(/[,，\s]/g, '').replace(/^[¥￥]/, '')
  const m = /^(\d{1,10})(?:\.(\d{0,2}))?$/.exec(s)
  if (!m) return null
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'))
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

/** A datetime picker's value (ms or Date) → UTC seconds. */
export function toSeconds(v: Date | number | string | null | undefined): number | null {
  if (v === null || v === undefined || v === '') return null
  const ms = v instanceof Date ? v.getTime() : typeof v === 'number' ? v : Date.parse(v)
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : null
}
