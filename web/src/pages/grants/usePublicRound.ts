// The community and round a public micro-grant page shows (?c= chooses the
// community, as on the other public pages).
import { ref } from 'vue'
import { useRoute } from 'vue-router'
import { errorMessage } from '../../api/client'
import { grantsApi, type GrantRound } from './api'
import type { Id } from '../../api/types'
import { resolvePublicCommunity } from '../../frames/publicCommunity'

export function usePublicRound() {
  const route = useRoute()
  const cid = ref<Id | null>(null)
  const round = ref<GrantRound | null>(null)
  const error = ref('')
  const ready = ref(false)

  async function load(): Promise<void> {
    error.value = ''
    try {
      cid.value = await resolvePublicCommunity(route.query.c)
      if (cid.value !== null) round.value = await grantsApi.round(cid.value, String(route.params.id))
    } catch (e) {
      error.value = errorMessage(e)
    } finally {
      ready.value = true
    }
  }

  return { route, cid, round, error, ready, load }
}
