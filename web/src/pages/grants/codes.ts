// The codes just generated, kept for the printable sheet in this tab only
// (sessionStorage): the server shows them once.
export const CODES_KEY = 'linli.grantCodes'

export function takeCodes(): { round: string; codes: string[] } | null {
  try {
    const raw = sessionStorage.getItem(CODES_KEY)
    if (!raw) return null
    const v = JSON.parse(raw) as { round?: unknown; codes?: unknown }
    if (!Array.isArray(v.codes)) return null
    return { round: String(v.round ?? ''), codes: v.codes.map(String) }
  } catch {
    return null
  }
}
