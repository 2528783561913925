// Asking a staff member before an action (Element Plus message boxes): a yes/no
// confirmation, or a short text (a reason, a note) that must not be empty.
import { ElMessageBox } from 'element-plus'
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
