// The state of a form sent once to make or change something — a create dialog,
// a decision with a reason, a donation on its page, a phone form: the values,
// the errors field by field (the page's own checks and the server's answer
// {"error":{"fields":{…}}}, keyed by the API's field names so that each shows
// on its field), the overall message, and the saving flag. <FormDialog> and
// <PageForm> show it with Element Plus; the phone pages bind it to Vant fields.
import { reactive, watch, type UnwrapRef } from 'vue'
import { ApiError, errorMessage } from '../api/client'

type Errors = Record<string, string>
type Check<F> = (form: F) => Record<string, string | false | null | undefined>

export interface FormOptions<F extends object, R> {
  blank: () => F
  /** The page's own checks before sending: field → message (falsy: fine). */
  check?: Check<F>
  send: (form: F) => Promise<R>
  /** After a success (the dialog is closed by then): a message, a reload, the next page. */
  done?: (result: R, form: F) => void | Promise<void>
  /** After a refusal, to add to what is shown (e.g. the amount available on the amount field). */
  failed?: (e: unknown, errors: Errors) => void
}

export function useForm<F extends object, R = unknown>(opts: FormOptions<F, R>) {
  let tried = false
  const state = reactive({
    visible: false,
    form: opts.blank() as F,
    /** Field → message: the page's checks, then the server's. */
    errors: {} as Errors,
    /** The overall message of a refusal. */
    error: '',
    saving: false,
    /** Opens the form fresh (init: values other than blank's). */
    open(init: Partial<F> = {}): void {
      state.reset(init)
      state.visible = true
    },
    /** Blank values again, no messages. */
    reset(init: Partial<F> = {}): void {
      tried = false
      state.form = { ...opts.blank(), ...init } as UnwrapRef<F>
      state.errors = {}
      state.error = ''
    },
    close(): void {
      state.visible = false
    },
    /** Checks, sends, and on success closes and calls done; false when checked out or refused. */
    async submit(): Promise<boolean> {
      if (state.saving) return false
      tried = true
      const local = checked()
      state.error = ''
      state.errors = local
      if (Object.keys(local).length) return false
      const form = state.form as F
      state.saving = true
      try {
        const result = await opts.send(form)
        tried = false
        state.visible = false
        await opts.done?.(result, form)
        return true
      } catch (e) {
        state.error = errorMessage(e)
        const errors: Errors = e instanceof ApiError ? { ...e.fields } : {}
        opts.failed?.(e, errors)
        state.errors = errors
        return false
      } finally {
        state.saving = false
      }
    },
  })

  function checked(): Errors {
    const out: Errors = {}
    for (const [k, v] of Object.entries(opts.check ? opts.check(state.form as F) : {})) if (v) out[k] = v
    return out
  }

  // Once a send was tried, the page's checks follow the typing (a fixed field loses its message).
  watch(
    () => state.form,
    () => {
      if (tried && opts.check) state.errors = checked()
    },
    { deep: true },
  )

  return state
}

export type FormState<F extends object = Record<string, unknown>> = ReturnType<typeof useForm<F>>
