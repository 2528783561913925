// Formatting at the edge: money arrives as integer fen and stays integer until
// it is turned into text here; counts and rates likewise.
import { prefs } from './prefs'

const DASH = '—'

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
}

/** 123456 → "¥1,234.56"; null/undefined → "—". Integer arithmetic only. */
export function formatFen(fen: number | null | undefined): string {
  if (fen === null || fen === undefined || !Number.isFinite(fen)) return DASH
  const whole = Math.trunc(fen)
  const sign = whole < 0 ? '-' : ''
  const abs = Math.abs(whole)
  const yuan = Math.floor(abs / 100)
  const cents = abs % 100
  return `${sign}¥${groupThousands(String(yuan))}.${String(cents).padStart(2, '0')}`
}

/** A count with thousands separators; null → "—". */
export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return DASH
  return new Intl.NumberFormat(prefs.lang).format(n)
}

/** 0.571 → "57.1%"; null → "—". */
export function formatRate(r: number | null | undefined): string {
  if (r === null || r === undefined || !Number.isFinite(r)) return DASH
  return `${(Math.round(r * 1000) / 10).toFixed(1)}%`
}

export function orDash(v: string | number | null | undefined): string {
  return v === null || v === undefined || v === '' ? DASH : String(v)
}
