// Moving a round to its next phase, from the list of rounds or a round's page
// (staff): a confirmation, the change, and what came of it.
import type { Id } from '../../api/types'
import { t } from '../../i18n'
import { act, confirmed } from '../../ui/ask'
import { grantsApi, type GrantRound } from './api'
import { nextPhase, phaseLabel } from './shared'

/** Moves a round to its next phase once the staff member confirms; true when it moved. */
export async function advanceRound(cid: Id, r: GrantRound): Promise<boolean> {
  const next = nextPhase(r.phase)
  if (!next) return false
  const ok = await confirmed(t('grants.staff.movePhaseConfirm', { phase: phaseLabel(next) }), t('grants.staff.movePhase'), {
    confirm: t('grants.staff.nextPhase'),
  })
  if (!ok) return false
  return (await act(() => grantsApi.setPhase(cid, r.id, next), t('grants.staff.phaseMoved', { phase: phaseLabel(next) }))) !== null
}
