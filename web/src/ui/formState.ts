// How <FormField> finds the form it belongs to: <FormDialog> and <PageForm>
// provide their form state; a field shows the error of its API field name.
import { inject, provide, type InjectionKey } from 'vue'

export interface FieldErrors {
  errors: Record<string, string>
}

const KEY: InjectionKey<FieldErrors> = Symbol('form')

export function provideForm(state: FieldErrors): void {
  provide(KEY, state)
}

export function injectForm(): FieldErrors | null {
  return inject(KEY, null)
}
