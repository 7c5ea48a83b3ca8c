import { describe, expect, it } from 'vitest';
import { createRemoteServerStore, remoteEngineFor, remoteSettingsProblem } from '../../../src/features/models/remote-server-store';

/** The browser's localStorage contract, in memory. */
function memoryStorage(): Storage {
  const values = new Map<string, string>();
  return {
    get length() {
      return values.size;
    },
    clear: () => values.clear(),
    getItem: (key) => values.get(key) ?? null,
    key: (index) => [...values.keys()][index] ?? null,
    removeItem: (key) => void values.delete(key),
    setItem: (key, value) => void values.set(key, String(value)),
  };
}

describe('remote server settings', () => {
  it('keep the address, key, model and who answers across a reload of the page', () => {
    const storage = memoryStorage();
    const store = createRemoteServerStore(storage);
    store.getState().setSettings({ baseUrl: 'http://gpu:8000', apiKey: 'sk-local', model: 'patho-r1-7b' });
    store.getState().setAnswerer('ask', 'remote');
    const reloaded = createRemoteServerStore(storage).getState();
    expect(reloaded.settings).toEqual({ baseUrl: 'http://gpu:8000', apiKey: 'sk-local', model: 'patho-r1-7b' });
    expect(reloaded.answerers).toEqual({ ask: 'remote', practice: 'local' });
  });

  it('start empty from unreadable storage instead of failing', () => {
    const storage = memoryStorage();
    storage.setItem('patholens.remote-server.v1', '{not json');
    expect(createRemoteServerStore(storage).getState().answerers.ask).toBe('local');
  });

  it('give an engine only for tasks the server answers', () => {
    const settings = { baseUrl: 'http://gpu:8000', apiKey: '', model: 'm' };
    expect(remoteEngineFor({ settings, answerers: { ask: 'local', practice: 'remote' } }, 'ask')).toBeNull();
    expect(remoteEngineFor({ settings, answerers: { ask: 'local', practice: 'remote' } }, 'practice')).not.toBeNull();
  });

  it('say what is missing before a question is sent', () => {
    expect(remoteSettingsProblem({ baseUrl: '', apiKey: '', model: '' })).toMatch(/give its address/);
    expect(remoteSettingsProblem({ baseUrl: 'gpu:8000', apiKey: '', model: 'm' })).toMatch(/not an http\(s\) address|not a server address/);
    expect(remoteSettingsProblem({ baseUrl: 'http://gpu:8000', apiKey: '', model: ' ' })).toMatch(/choose a model/);
    expect(remoteSettingsProblem({ baseUrl: 'http://gpu:8000', apiKey: '', model: 'm' })).toBeNull();
  });

  it('report a failed connection test as a sentence and keep the settings', async () => {
    const store = createRemoteServerStore(memoryStorage());
    store.getState().setSettings({ baseUrl: 'http://127.0.0.1:9' });
    await store.getState().testConnection();
    const connection = store.getState().connection;
    expect(connection.status).toBe('error');
    expect(connection.status === 'error' && connection.message).toMatch(/could not reach the server at http:\/\/127\.0\.0\.1:9\/v1/);
    expect(store.getState().settings.baseUrl).toBe('http://127.0.0.1:9');
  });
});
