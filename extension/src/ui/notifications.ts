/** Toasts through OHIF's uiNotificationService (sonner in 3.13: `action` renders a button). */
import type { ServicesLike } from '../host/types';
import type { ErrorDescription } from './messages';

export function showSuccess(services: ServicesLike, text: { title: string; message: string }): void {
  services.uiNotificationService.show({ ...text, type: 'success', duration: 4000 });
}

export function showInfo(services: ServicesLike, title: string, message: string): void {
  services.uiNotificationService.show({ title, message, type: 'info', duration: 5000 });
}

/** Errors carry a Retry button when retrying can help; duplicates are allowed so a retry's failure shows. */
export function showError(services: ServicesLike, error: ErrorDescription, onRetry?: () => void): void {
  services.uiNotificationService.show({
    title: error.title,
    message: error.message,
    type: 'error',
    duration: 10000,
    allowDuplicates: true,
    ...(error.retryable && onRetry ? { action: { label: 'Retry', onClick: onRetry } } : {}),
  });
}
