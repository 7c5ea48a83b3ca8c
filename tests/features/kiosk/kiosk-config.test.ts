import { describe, expect, it } from 'vitest';
import { DEFAULT_KIOSK_CONFIG, parseKioskFile, resolveKioskSettings } from '../../../src/features/kiosk/kiosk-config';

describe('kiosk settings', () => {
  it('is off without ?kiosk=1 and without a kiosk.json', () => {
    expect(resolveKioskSettings('', undefined)).toEqual({ enabled: false, config: DEFAULT_KIOSK_CONFIG, problems: [] });
    expect(resolveKioskSettings('?kiosk=0', undefined).enabled).toBe(false);
  });

  it('is on with ?kiosk=1, with the defaults', () => {
    const settings = resolveKioskSettings('?kiosk=1', undefined);
    expect(settings.enabled).toBe(true);
    expect(settings.config).toEqual({
      enabled: true,
      idleTimeoutSeconds: 180,
      warningSeconds: 20,
      title: 'PathoLens',
      attractMessage: expect.stringContaining('Touch the screen'),
      preload: { pathoR1: 'tiny/patho-r1', pathoClip: 'tiny/pathoclip' },
    });
  });

  it('is on with a kiosk.json, unless it says enabled: false', () => {
    expect(resolveKioskSettings('', { idleTimeoutSeconds: 60 })).toMatchObject({ enabled: true, config: { idleTimeoutSeconds: 60, warningSeconds: 20 } });
    expect(resolveKioskSettings('', { enabled: false }).enabled).toBe(false);
    expect(resolveKioskSettings('?kiosk=1', { enabled: false }).enabled).toBe(true);
  });

  it('takes the idle timeout and warning from the query over the file', () => {
    const settings = resolveKioskSettings('?kiosk=1&idle=4&warning=2', { idleTimeoutSeconds: 600, warningSeconds: 30 });
    expect(settings.config).toMatchObject({ idleTimeoutSeconds: 4, warningSeconds: 2 });
    expect(resolveKioskSettings('?kiosk=1&idle=abc&warning=-1', undefined).config).toMatchObject({ idleTimeoutSeconds: 180, warningSeconds: 20 });
  });

  it('keeps every good field of a file with bad ones and names each bad one with the default used', () => {
    const parsed = parseKioskFile({
      idleTimeoutSeconds: 'soon',
      warningSeconds: 5,
      title: 'Museum of Pathology',
      colour: 'red',
      preload: { pathoR1: '../../etc/passwd' },
    });
    expect(parsed!.config).toMatchObject({
      idleTimeoutSeconds: 180,
      warningSeconds: 5,
      title: 'Museum of Pathology',
      preload: { pathoR1: 'tiny/patho-r1', pathoClip: 'tiny/pathoclip' },
    });
    expect(parsed!.config).not.toHaveProperty('colour');
    expect(parsed!.problems).toHaveLength(3);
    expect(parsed!.problems).toContainEqual(expect.stringMatching(/^kiosk\.json: idleTimeoutSeconds: .+; the default \(180\) is used\.$/));
    expect(parsed!.problems).toContainEqual(
      expect.stringMatching(/^kiosk\.json: preload\.pathoR1: must be a model folder under \/models\/.*; the default \("tiny\/patho-r1"\) is used\.$/),
    );
    expect(parsed!.problems).toContainEqual(expect.stringMatching(/^kiosk\.json: the file: .*colour.*; it is ignored\.$/));
  });

  it('turns preloading off with null, and refuses a file that is not an object', () => {
    expect(parseKioskFile({ preload: { pathoR1: null, pathoClip: null } })!.config.preload).toEqual({ pathoR1: null, pathoClip: null });
    expect(parseKioskFile([1, 2])).toEqual({ config: DEFAULT_KIOSK_CONFIG, problems: ['kiosk.json is not a JSON object; the kiosk runs with its defaults.'] });
    expect(parseKioskFile(undefined)).toBeUndefined();
  });
});
