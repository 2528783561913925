// What a page shows while it loads its data: loading (true from the start, and
// while run() loads again), the error to show instead, and run(). Used by the pages
// that are not a list (a wish, a round, the fund page, the phone tabs).
import { reactive } from 'vue'
import { errorMessage } from '../api/client'

/** message: what to show for a failure (errorMessage by default). */
export function useLoad(load: () => Promise<unknown>, message: (e: unknown) => string = errorMessage) {
  const state = reactive({
    loading: true,
    error: '',
    /** Loads; the error, if any, is in error (a failed load never throws). */
    async run(): Promise<void> {
      state.loading = true
      state.error = ''
      try {
        await load()
      } catch (e) {
        state.error = message(e)
      } finally {
        state.loading = false
      }
    },
  })
  return state
}
