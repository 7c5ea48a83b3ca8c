/** What the Models feature offers the app and other features: its panel and the store of loaded models. */
export { ModelsPanel } from './ModelsPanel';
export { modelStore, useModelStore, resolveLoadPlan, type CatalogEntry, type PathoR1State } from './model-store';
export { remoteServerStore, REMOTE_TASKS, type RemoteTask, type Answerer } from './remote-server-store';
export { storageStore, useStorageStore } from './storage-store';
