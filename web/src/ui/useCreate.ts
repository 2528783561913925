// A list page's create dialog: a form (useForm) whose success says 已创建 and
// loads the list again.
import { ElMessage } from 'element-plus'
import { t } from '../i18n'
import { useForm, type FormOptions } from './useForm'

export function useCreate<F extends object, R>(list: { reload(): void }, opts: FormOptions<F, R>) {
  return useForm<F, R>({
    ...opts,
    async done(result, form) {
      ElMessage.success(t('common.created'))
      list.reload()
      await opts.done?.(result, form)
    },
  })
}
