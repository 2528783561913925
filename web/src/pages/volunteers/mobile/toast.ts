// An error toast on the phone: plain text (wider than Vant's icon toasts, so a
// long Chinese sentence stays readable), shown long enough to read.
import { showToast } from 'vant'

export function toastError(message: string): void {
  showToast({ message, wordBreak: 'break-word', duration: 3500 })
}
