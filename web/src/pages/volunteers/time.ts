// Times of the volunteer pages. The server speaks UTC seconds; people read and
// type times on the community's own clock, China Standard Time (UTC+8, no
// daylight saving), whatever the time zone of the browser.
import { prefs } from '../../prefs'

const TZ = 'Asia/Shanghai'
const CST = 8 * 3600
const DASH = '—'

function fmt(sec: number | null | undefined, opts: Intl.DateTimeFormatOptions): string {
  if (sec === null || sec === undefined || !Number.isFinite(sec)) return DASH
  return new Intl.DateTimeFormat(prefs.lang === 'en' ? 'en-GB' : 'zh-CN', { timeZone: TZ, ...opts }).format(new Date(sec * 1000))
}

/** 2026/12/05 09:00 */
export function formatDateTime(sec: number | null | undefined): string {
  return fmt(sec, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false })
}

/** 12月5日 周六 09:00 — for shift lists on a phone. */
export function formatShiftStart(sec: number | null | undefined): string {
  return fmt(sec, { month: 'short', day: 'numeric', weekday: 'short', hour: '2-digit', minute: '2-digit', hour12: false })
}

/** 09:00 */
export function formatClock(sec: number | null | undefined): string {
  return fmt(sec, { hour: '2-digit', minute: '2-digit', hour12: false })
}

/** 12月5日 周六 09:00–13:00 */
export function formatShiftRange(start: number, end: number): string {
  return `${formatShiftStart(start)}–${formatClock(end)}`
}

/** "YYYY-MM-DD HH:mm" (CST) → UTC seconds; null when it is not such a text. */
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

/** Today on the community's clock, YYYY-MM-DD. */
export function todayCst(): string {
  return new Date(Date.now() + CST * 1000).toISOString().slice(0, 10)
}

export function currentYearCst(): number {
  return new Date(Date.now() + CST * 1000).getUTCFullYear()
}

/** 90 → 1.5 (hours, one decimal, as the server rounds: down to a tenth). */
export function minutesToHours(minutes: number): number {
  return Math.floor(minutes / 6) / 10
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000)
}
