import { ErrorBanner } from './ErrorBanner';
import { ErrorBoundary } from './ErrorBoundary';
import { SidePanel } from './SidePanel';
import { StatusBar } from './StatusBar';
import { ViewerArea } from './ViewerArea';
import { useComputeBackendDetection } from './use-compute-backend';
import { KioskLayer } from '../features/kiosk';
import { activateWaitingServiceWorker } from './service-worker';

/** The shell: slide viewer filling most of the screen, side panel of tools, status bar, error banner. */
export function App() {
  useComputeBackendDetection();
  return (
    <div className="flex h-full flex-col bg-slate-50 text-slate-900">
      <a
        href="#side-panel"
        className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2"
      >
        Skip to the side panel
      </a>
      <header className="flex items-center gap-3 border-b border-slate-200 bg-white px-4 py-2">
        <img src="/favicon.svg" alt="" className="h-6 w-6" />
        <h1 className="text-lg font-semibold tracking-tight">PathoLens</h1>
        <p className="text-sm text-slate-500">Slides and models stay on this machine.</p>
        <p role="note" data-testid="not-diagnostic" className="ml-auto rounded bg-amber-50 px-2 py-0.5 text-xs font-medium text-amber-900">
          Research model, not for diagnostic use: answers are not a diagnosis.
        </p>
      </header>
      <KioskLayer beforeReset={activateWaitingServiceWorker} />
      <ErrorBanner />
      <div className="flex min-h-0 flex-1">
        <ErrorBoundary area="slide viewer">
          <ViewerArea />
        </ErrorBoundary>
        <ErrorBoundary area="side panel">
          <SidePanel />
        </ErrorBoundary>
      </div>
      <StatusBar />
    </div>
  );
}
