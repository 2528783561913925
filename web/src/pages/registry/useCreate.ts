// A create dialog's state: the form, the server's field-by-field errors
// (error.fields) and its overall message.
import { ref, type Ref } from 'vue'
import { ApiError, api, errorMessage } from '../../api/client'

export function useCreate<F extends object, R>(url: () => string, blank: () => F, body: (form: F) => unknown = (f) => f) {
  const visible = ref(false)
  const form = ref(blank()) as Ref<F>
  const fieldErrors = ref<Record<string, string>>({})
  const error = ref('')
  const saving = ref(false)

  function open(): void {
    form.value = blank()
    fieldErrors.value = {}
    error.value = ''
    visible.value = true
  }

  /** Sends the form; the created item on success, null when the server refused it. */
  async function submit(): Promise<R | null> {
    saving.value = true
    fieldErrors.value = {}
    error.value = ''
    try {
      const created = await api.post<R>(url(), body(form.value))
      visible.value = false
      return created
    } catch (e) {
      error.value = errorMessage(e)
      if (e instanceof ApiError) fieldErrors.value = { ...e.fields }
      return null
    } finally {
      saving.value = false
    }
  }

  return { visible, form, fieldErrors, error, saving, open, submit }
}
