import { computeBackendLabel } from '../inference/compute-backend';
import { useAppStore } from '../session/app-store';

export function StatusBar() {
  const backend = useAppStore((state) => state.backend);
  const label = backend.status === 'detecting' ? 'Detecting compute backend…' : computeBackendLabel(backend.backend);
  const kind = backend.status === 'ready' ? backend.backend.kind : 'detecting';
  return (
    <footer role="status" aria-label="Status bar" className="flex items-center gap-4 border-t border-slate-200 bg-white px-4 py-1 text-xs text-slate-600">
      <span data-testid="compute-backend" data-backend={kind}>
        <span className="font-medium text-slate-800">Compute:</span> {label}
      </span>
      <span className="ml-auto">{globalThis.crossOriginIsolated ? 'Cross-origin isolated' : 'Not cross-origin isolated'}</span>
    </footer>
  );
}
