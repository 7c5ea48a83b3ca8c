import { useEffect, useRef, useState } from 'react';
import { appStore } from '../../session/app-store';
import { modelStore, storageStore } from '../models';
import { IdleTimer, type IdlePhase } from './idle-timer';
import { KIOSK_NOTICE, type KioskConfig } from './kiosk-config';
import { useKioskStore } from './kiosk-store';
import './kiosk.css';

/** Activity that keeps a kiosk session going. */
const ACTIVITY_EVENTS = ['pointerdown', 'pointermove', 'keydown', 'wheel', 'touchstart'] as const;

/**
 * Kiosk mode's part of the page (nothing when kiosk mode is off): the research-model notice, the attract screen,
 * the idle warning and reset, the demo models loaded at start, and no files from the visitor (file inputs are
 * hidden by kiosk.css and their clicks refused; files dropped on the page are ignored).
 * `beforeReset` runs before the reset's reload (the shell lets a waiting service worker take over there).
 */
export function KioskLayer({ beforeReset }: { beforeReset?: () => Promise<void> }) {
  const settings = useKioskStore((state) => state.settings);
  if (!settings.enabled) return null;
  return <KioskSession config={settings.config} problems={settings.problems} beforeReset={beforeReset} />;
}

function KioskSession({ config, problems, beforeReset }: { config: KioskConfig; problems: string[]; beforeReset: (() => Promise<void>) | undefined }) {
  const [attract, setAttract] = useState(true);
  const [phase, setPhase] = useState<IdlePhase>({ phase: 'active' });
  const timerRef = useRef<IdleTimer | null>(null);
  timerRef.current ??= new IdleTimer({ timeoutSeconds: config.idleTimeoutSeconds, warningSeconds: config.warningSeconds, now: () => performance.now() });

  useEffect(() => {
    for (const problem of problems) appStore.getState().reportError(problem);
  }, [problems]);

  useEffect(() => {
    void storageStore.getState().requestPersistence();
    void preloadModels(config.preload);
  }, [config.preload]);

  useEffect(() => refuseVisitorFiles(window), []);

  useEffect(() => {
    const timer = timerRef.current!;
    const onActivity = () => timer.activity();
    for (const type of ACTIVITY_EVENTS) window.addEventListener(type, onActivity, { capture: true, passive: true });
    let resetting = false;
    const interval = window.setInterval(() => {
      const next = timer.phase();
      setPhase((current) =>
        current.phase === next.phase && (next.phase !== 'warning' || (current.phase === 'warning' && current.secondsLeft === next.secondsLeft))
          ? current
          : next,
      );
      if (next.phase === 'reset' && !resetting) {
        resetting = true;
        // Each kiosk page load starts clean (bootKiosk clears the visitor's data before the app opens any of it).
        void (beforeReset?.() ?? Promise.resolve()).finally(() => location.reload());
      }
    }, 250);
    return () => {
      for (const type of ACTIVITY_EVENTS) window.removeEventListener(type, onActivity, { capture: true });
      window.clearInterval(interval);
    };
  }, [beforeReset]);

  useEffect(() => timerRef.current!.setPaused(attract), [attract]);

  const start = () => {
    setAttract(false);
    void document.documentElement.requestFullscreen?.().catch(() => undefined);
  };

  return (
    <>
      <p role="note" data-testid="kiosk-notice" className="bg-amber-100 px-4 py-2 text-center text-base font-semibold text-amber-950">
        {KIOSK_NOTICE}
      </p>
      {attract && (
        <div
          role="dialog"
          aria-modal="true"
          aria-labelledby="kiosk-attract-title"
          data-testid="kiosk-attract"
          className="fixed inset-0 z-50 flex flex-col items-center justify-center gap-6 bg-slate-900/95 p-8 text-center text-white"
          onClick={start}
        >
          <img src="/favicon.svg" alt="" className="h-24 w-24" />
          <h2 id="kiosk-attract-title" className="text-4xl font-semibold">
            {config.title}
          </h2>
          <p className="max-w-2xl text-xl">{config.attractMessage}</p>
          <p className="max-w-2xl rounded bg-amber-100 px-4 py-2 text-lg font-semibold text-amber-950">{KIOSK_NOTICE}</p>
          <button type="button" autoFocus className="rounded-lg bg-white px-10 py-5 text-2xl font-semibold text-slate-900" onClick={start}>
            Touch to start
          </button>
        </div>
      )}
      {!attract && phase.phase === 'warning' && (
        <div
          role="alertdialog"
          aria-modal="true"
          aria-labelledby="kiosk-idle-title"
          aria-describedby="kiosk-idle-text"
          data-testid="kiosk-idle-warning"
          className="fixed inset-0 z-50 flex flex-col items-center justify-center gap-6 bg-slate-900/80 p-8 text-center text-white"
        >
          <h2 id="kiosk-idle-title" className="text-3xl font-semibold">
            Are you still there?
          </h2>
          <p id="kiosk-idle-text" className="text-xl">
            This session starts over in {phase.secondsLeft} s, and your regions and answers are cleared.
          </p>
          <button type="button" autoFocus className="rounded-lg bg-white px-10 py-5 text-2xl font-semibold text-slate-900">
            Continue
          </button>
        </div>
      )}
    </>
  );
}

/** Hidden file inputs could still be opened through their labels; dropped files would open too. Neither happens here. */
function refuseVisitorFiles(target: Window): () => void {
  const onClick = (event: MouseEvent) => {
    if (event.target instanceof HTMLInputElement && event.target.type === 'file') event.preventDefault();
  };
  const onDrag = (event: DragEvent) => {
    event.preventDefault();
    event.stopPropagation();
    if (event.dataTransfer) event.dataTransfer.dropEffect = 'none';
  };
  target.addEventListener('click', onClick, true);
  target.addEventListener('dragover', onDrag, true);
  target.addEventListener('drop', onDrag, true);
  return () => {
    target.removeEventListener('click', onClick, true);
    target.removeEventListener('dragover', onDrag, true);
    target.removeEventListener('drop', onDrag, true);
  };
}

/** Loads the kiosk's models once the backend is known, so the first visitor's question does not wait for them. */
async function preloadModels(preload: KioskConfig['preload']): Promise<void> {
  if (!preload.pathoR1 && !preload.pathoClip) return;
  await new Promise<void>((resolve) => {
    if (appStore.getState().backend.status === 'ready') return resolve();
    const unsubscribe = appStore.subscribe((state) => {
      if (state.backend.status === 'ready') {
        unsubscribe();
        resolve();
      }
    });
  });
  const models = modelStore.getState();
  if (models.catalog.status !== 'ready') await models.refreshCatalog();
  const load = async (name: string, run: () => Promise<void>) => {
    try {
      await run();
    } catch (error) {
      appStore.getState().reportError(`The kiosk could not load ${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  if (preload.pathoR1) await load(preload.pathoR1, () => modelStore.getState().loadPathoR1(preload.pathoR1!));
  if (preload.pathoClip) await load(preload.pathoClip, () => modelStore.getState().loadPathoClip(preload.pathoClip!));
}
