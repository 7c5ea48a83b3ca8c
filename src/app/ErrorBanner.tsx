import { useAppStore } from '../session/app-store';

/** Failures as sentences, each dismissable (or all at once); nothing else on screen is lost when one appears. */
export function ErrorBanner() {
  const errors = useAppStore((state) => state.errors);
  const dismissError = useAppStore((state) => state.dismissError);
  const dismissAllErrors = useAppStore((state) => state.dismissAllErrors);
  return (
    <div role="alert" aria-label="Errors" className={errors.length === 0 ? 'contents' : 'border-b border-red-200 bg-red-50'}>
      {errors.map((error) => (
        <div key={error.id} className="flex items-start gap-3 px-4 py-2 text-sm text-red-900">
          <p className="flex-1">
            {error.message}
            {error.count > 1 && <span className="ml-2 text-xs text-red-800">({error.count} times)</span>}
          </p>
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
      {errors.length > 1 && (
        <div className="flex justify-end px-4 pb-2">
          <button type="button" onClick={dismissAllErrors} className="rounded px-2 text-sm text-red-800 hover:bg-red-100">
            Dismiss all {errors.length} errors
          </button>
        </div>
      )}
    </div>
  );
}
