// Labels of the fund's codes in the UI language: entry kinds, earmarks
// ("wish:12" → 微心愿 #12), payment methods. Unknown codes are shown as they are.
import { codeLabel, t } from '../../i18n'

const label = (prefix: string, code: string) => codeLabel(prefix, code, '')

export function entryKindLabel(kind: string): string {
  return label('fund.kinds', kind)
}

export function methodLabel(method: string | null | undefined): string {
  return method ? label('fund.methods', method) : ''
}

export function earmarkLabel(earmark: string): string {
  if (!earmark) return t('fund.earmark.general')
  const m = /^(wish|project):(\d+)$/.exec(earmark)
  return m ? t(`fund.earmark.${m[1]}Of`, { id: m[2] }) : earmark
}

export function expenseLabel(code: string): string {
  return label('fund.expenses', code)
}
