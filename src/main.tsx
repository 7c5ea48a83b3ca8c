// First: zod must be configured before any module builds a schema (see the file).
import './app/zod-without-eval';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import './index.css';
import { App } from './app/App';
import { installAnswerPersistence } from './features/ask';
import { installGlobalErrorReporting } from './app/global-errors';
import { appStore } from './session/app-store';
import { TEST_HOOK_ENABLED, installTestHook } from './app/test-hook';
import { registerServiceWorker } from './app/service-worker';
import { bootKiosk, kioskStore } from './features/kiosk';

// Kiosk mode first: it clears the previous visitor's data before anything opens it.
kioskStore.getState().setSettings(await bootKiosk());
installGlobalErrorReporting(window, appStore.getState().reportError);
installAnswerPersistence();
if (TEST_HOOK_ENABLED) installTestHook(window);
void registerServiceWorker();

const rootElement = document.getElementById('root');
if (!rootElement) throw new Error('PathoLens: the page has no #root element.');
createRoot(rootElement).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
