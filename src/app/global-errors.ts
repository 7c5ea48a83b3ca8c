import { errorSentence } from '../ui/error-sentence';

/**
 * Failures nobody caught still reach the user as a sentence in the error banner, never only the console.
 */
export function installGlobalErrorReporting(target: Window, report: (message: string) => void): void {
  target.addEventListener('error', (event) => {
    report(errorSentence('Something in PathoLens failed', event.error ?? event.message, 'Your slide and work are kept; try the action again'));
  });
  target.addEventListener('unhandledrejection', (event) => {
    report(errorSentence('A background task failed', event.reason, 'Your slide and work are kept; try the action again'));
  });
}
