// The fund's refusals shown well: insufficient_funds carries what is available
// in fields.amount_fen as a sentence in fen ("可用余额：412650 分"); the amount is
// shown in yuan here, and the server's sentence as it is when it has no number.
import type { ApiError } from '../../api/client'
import { t } from '../../i18n'
import { formatFen } from '../../ui/format'

export function availableText(e: ApiError): string {
  const raw = e.fields.amount_fen ?? ''
  const m = /(-?\d+)/.exec(raw)
  return m ? t('fund.form.available', { amount: formatFen(Number(m[1])) }) : raw || e.message
}
