// Money typed in by a person: yuan as text ("12", "12.5", "1,234.56") to integer
// fen without floating point; and times (UTC seconds) shown in China Standard
// Time, the community's own clock.
import { prefs } from '../../prefs'

/** "1,234.56" → 123456; "" or anything else that is not an amount → null. */
export function parseYuan(text: string | number | null | undefined): number | null {
  if (text === null || text === undefined) return null
  const s = String(text).trim().replace(/[,，\s]/g, '').replace(/^[¥￥]/, '')
  const m = /^(\d{1,10})(?:\.(\d{0,2}))?$/.exec(s)
  if (!m) return null
  const cents = (m[2] ?? '').padEnd(2, '0')
  return Number(m[1]) * 100 + Number(cents)
}

/** 50000 → "500"; 12345 → "123.45" (for a form field). */
export function fenToYuanText(fen: number): string {
  const sign = fen < 0 ? '-' : ''
  const abs = Math.abs(Math.trunc(fen))
  const cents = abs % 100
  return `${sign}${Math.floor(abs / 100)}${cents ? '.' + String(cents).padStart(2, '0') : ''}`
}

const TZ = 'Asia/Shanghai'

function fmt(sec: number | null | undefined, opts: Intl.DateTimeFormatOptions): string {
  if (sec === null || sec === undefined || !Number.isFinite(sec)) return '—'
  return new Intl.DateTimeFormat(prefs.lang === 'en' ? 'en-GB' : 'zh-CN', { timeZone: TZ, ...opts }).format(new Date(sec * 1000))
}

/** 2016-11-05 14:30 in China Standard Time. */
export function formatTime(sec: number | null | undefined): string {
  return fmt(sec, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false })
}

export function formatDay(sec: number | null | undefined): string {
  return fmt(sec, { year: 'numeric', month: '2-digit', day: '2-digit' })
}

/** Today in China Standard Time, YYYY-MM-DD. */
export function todayCst(): string {
  const d = new Date(Date.now() + 8 * 3600 * 1000)
  return d.toISOString().slice(0, 10)
}
