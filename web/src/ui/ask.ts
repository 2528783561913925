// Asking a staff member before an action (Element Plus message boxes): a yes/no
// confirmation, or a short text (a reason, a note) that must not be empty; and
// doing an action with its outcome said in a message.
import { ElMessage, ElMessageBox } from 'element-plus'
import { errorMessage } from '../api/client'
import { t } from '../i18n'

/** true when the person confirms; false when they cancel or close the box. */
export async function confirmed(
  message: string,
  title: string,
  opts: { confirm?: string; type?: 'warning' | 'info' } = {},
): Promise<boolean> {
  try {
    await ElMessageBox.confirm(message, title, {
      type: opts.type,
      confirmButtonText: opts.confirm ?? t('common.save'),
      cancelButtonText: t('common.cancel'),
    })
    return true
  } catch {
    return false
  }
}

/** The text typed (trimmed, never empty: the prompt says so), or null when cancelled. */
export async function askText(prompt: string, title: string): Promise<string | null> {
  try {
    const r = await ElMessageBox.prompt(prompt, title, {
      confirmButtonText: t('common.save'),
      cancelButtonText: t('common.cancel'),
      inputValidator: (v: string) => !!v?.trim() || prompt,
    })
    return r.value.trim()
  } catch {
    return null
  }
}

/** Does a staff action at once (approve, check in, answer): its success said with a message (when
 *  given), its refusal with the server's. The result, or null when refused. */
export async function act<T>(action: () => Promise<T>, success?: string | ((result: T) => string)): Promise<T | null> {
  try {
    const result = await action()
    if (success) ElMessage.success(typeof success === 'function' ? success(result) : success)
    return result
  } catch (e) {
    ElMessage.error(errorMessage(e))
    return null
  }
}
