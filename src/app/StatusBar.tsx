import { useModelStore } from '../features/models';
import { computeBackendLabel } from '../inference/compute-backend';
import { useAppStore } from '../session/app-store';

export function StatusBar() {
  const backend = useAppStore((state) => state.backend);
  const pathoR1 = useModelStore((state) => state.pathoR1);
  const label = backend.status === 'detecting' ? 'Detecting compute backend…' : computeBackendLabel(backend.backend);
  const kind = backend.status === 'ready' ? backend.backend.kind : 'detecting';
  return (
    <footer role="status" aria-label="Status bar" className="flex items-center gap-4 border-t border-slate-200 bg-white px-4 py-1 text-xs text-slate-600">
      <span data-testid="compute-backend" data-backend={kind}>
        <span className="font-medium text-slate-800">Compute:</span> {label}
      </span>
      {pathoR1.status === 'ready' && (
        // What the loaded model really runs on, which the Models tab may have chosen over the detected backend.
        <span data-testid="patho-r1-runs-on">
          <span className="font-medium text-slate-800">Patho-R1:</span>{' '}
          {pathoR1.device === 'webgpu'
            ? `WebGPU · ${pathoR1.dtype}`
            : `WASM · ${pathoR1.dtype} · ${pathoR1.wasmThreads ?? 1} ${pathoR1.wasmThreads === 1 ? 'thread' : 'threads'}`}
        </span>
      )}
      <span className="ml-auto">{globalThis.crossOriginIsolated ? 'Cross-origin isolated' : 'Not cross-origin isolated'}</span>
    </footer>
  );
}
