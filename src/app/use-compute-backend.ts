import { useEffect } from 'react';
import { detectComputeBackend, type NavigatorLike } from '../inference/compute-backend';
import { appStore } from '../session/app-store';
import { errorSentence } from '../ui/error-sentence';

/** Detects WebGPU/WASM once at start-up and puts the result in the store for the status bar. */
export function useComputeBackendDetection(): void {
  useEffect(() => {
    let cancelled = false;
    detectComputeBackend(navigator as NavigatorLike, globalThis.crossOriginIsolated === true)
      .then((backend) => {
        if (!cancelled) appStore.getState().setBackend(backend);
      })
      .catch((error: unknown) => {
        appStore.getState().reportError(errorSentence('Could not detect the compute backend', error));
      });
    return () => {
      cancelled = true;
    };
  }, []);
}
