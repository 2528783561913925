// Formatting at the edge, for every page: money arrives as integer fen and stays
// integer until it is turned into text here (and yuan typed by a person become
// fen here, without floating point); times arrive as UTC seconds and are shown
// and typed on the community's own clock, China Standard Time (UTC+8, no
// daylight saving), whatever the time zone of the browser; counts and rates.
import { prefs } from '../prefs'

const DASH = '—'
const TZ = 'Asia/Shanghai'
const CST = 8 * 3600

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
}

function missing(n: number | null | undefined): n is null | undefined {
  return n === null || n === undefined || !Number.isFinite(n)
}

// ---- money ----

/** 123456 → "¥1,234.56"; null/undefined → "—". Integer arithmetic only. */
export function formatFen(fen: number | null | undefined): string {
  if (missing(fen)) return DASH
  const whole = Math.trunc(fen)
  const sign = whole < 0 ? '-' : ''
  const abs = Math.abs(whole)
  const yuan = Math.floor(abs / 100)
  const cents = abs % 100
  return `${sign}¥${groupThousands(String(yuan))}.${String(cents).padStart(2, '0')}`
}

/** "1,234.56", "¥12", "12.5" → integer fen (123456, 1200, 1250); "" or anything that is not an amount → null. */
export function parseYuan(text: string | number | null | undefined): number | null {
  if (text === null || text === undefined) return null
  const s = String(text).trim().replace(/[,，\s]/g, '').replace(/^[¥￥]/, '')
  const m = /^(\d{1,10})(?:\.(\d{0,2}))?$/.exec(s)
  if (!m) return null
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'))
}

/** 50000 → "500"; 12345 → "123.45" (the value of a form field). */
export function fenToYuanText(fen: number): string {
  const sign = fen < 0 ? '-' : ''
  const abs = Math.abs(Math.trunc(fen))
  const cents = abs % 100
  return `${sign}${Math.floor(abs / 100)}${cents ? '.' + String(cents).padStart(2, '0') : ''}`
}

// ---- counts ----

/** A count with thousands separators; null → "—". */
export function formatCount(n: number | null | undefined): string {
  if (missing(n)) return DASH
  return new Intl.NumberFormat(prefs.lang).format(n)
}

/** 0.571 → "57.1%"; null → "—". */
export function formatRate(r: number | null | undefined): string {
  if (missing(r)) return DASH
  return `${(Math.round(r * 1000) / 10).toFixed(1)}%`
}

/** A score with at most 3 decimals ("84.412", "90.55", "100"); null → "—". */
export function formatScore(n: number | null | undefined): string {
  if (missing(n)) return DASH
  return String(Math.round(n * 1000) / 1000)
}

export function orDash(v: string | number | null | undefined): string {
  return v === null || v === undefined || v === '' ? DASH : String(v)
}

// ---- time (China Standard Time) ----

function cst(sec: number | null | undefined, opts: Intl.DateTimeFormatOptions): string {
  if (missing(sec)) return DASH
  return new Intl.DateTimeFormat(prefs.lang === 'en' ? 'en-GB' : 'zh-CN', { timeZone: TZ, ...opts }).format(new Date(sec * 1000))
}

/** 2016/11/05 14:30 */
export function formatTime(sec: number | null | undefined): string {
  return cst(sec, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false })
}

/** 2016/11/05 */
export function formatDay(sec: number | null | undefined): string {
  return cst(sec, { year: 'numeric', month: '2-digit', day: '2-digit' })
}

/** 12月5日 周六 09:00 — for lists on a phone. */
export function formatDayClock(sec: number | null | undefined): string {
  return cst(sec, { month: 'short', day: 'numeric', weekday: 'short', hour: '2-digit', minute: '2-digit', hour12: false })
}

/** 09:00 */
export function formatClock(sec: number | null | undefined): string {
  return cst(sec, { hour: '2-digit', minute: '2-digit', hour12: false })
}

/** Today on the community's clock, YYYY-MM-DD. */
export function todayCst(): string {
  return new Date(Date.now() + CST * 1000).toISOString().slice(0, 10)
}

export function currentYearCst(): number {
  return new Date(Date.now() + CST * 1000).getUTCFullYear()
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000)
}

/** "YYYY-MM-DD HH:mm" (CST, the value of a date-time picker) → UTC seconds; null when it is not such a text. */
export function cstToSeconds(text: string | null | undefined): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})/.exec(text ?? '')
  if (!m) return null
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]))
  return Math.floor(ms / 1000) - CST
}

/** UTC seconds → "YYYY-MM-DD HH:mm" (CST), the value format of the date-time pickers. */
export function secondsToCst(sec: number): string {
  return new Date((sec + CST) * 1000).toISOString().slice(0, 16).replace('T', ' ')
}

/** 12月5日 周六 09:00–13:00 */
export function formatTimeRange(start: number, end: number): string {
  return `${formatDayClock(start)}–${formatClock(end)}`
}
