import { useAppStore } from '../session/app-store';

/** Failures as sentences, each dismissable; nothing else on screen is lost when one appears. */
export function ErrorBanner() {
  const errors = useAppStore((state) => state.errors);
  const dismissError = useAppStore((state) => state.dismissError);
  return (
    <div role="alert" aria-label="Errors" className={errors.length === 0 ? 'contents' : 'border-b border-red-200 bg-red-50'}>
      {errors.map((error) => (
        <div key={error.id} className="flex items-start gap-3 px-4 py-2 text-sm text-red-900">
          <p className="flex-1">{error.message}</p>
          <button
            type="button"
            onClick={() => dismissError(error.id)}
            className="rounded px-2 text-red-800 hover:bg-red-100"
            aria-label={`Dismiss error: ${error.message}`}
          >
            Dismiss
          </button>
        </div>
      ))}
    </div>
  );
}
