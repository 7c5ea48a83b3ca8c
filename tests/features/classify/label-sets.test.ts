import { describe, expect, it } from 'vitest';
import { LabelSetError, PRESET_LABEL_SETS, classPrompts, labelSetJson, parseLabelSetJson, validateLabelSet } from '../../../src/features/classify/label-sets';

describe('label sets', () => {
  it("reads PathoCLIP's zero-shot format and writes it back unchanged", () => {
    const text = JSON.stringify({
      classnames: [['adenocarcinoma', 'adenocarcinoma of the lung'], ['benign']],
      templates: ['an H&E image of CLASSNAME.', 'CLASSNAME'],
    });
    const labelSet = parseLabelSetJson(text, 'lung.json', 'user:1');
    expect(labelSet).toEqual({
      id: 'user:1',
      name: 'lung.json',
      classnames: [['adenocarcinoma', 'adenocarcinoma of the lung'], ['benign']],
      templates: ['an H&E image of CLASSNAME.', 'CLASSNAME'],
    });
    const again = parseLabelSetJson(labelSetJson(labelSet), 'other', 'user:2');
    expect({ ...again, id: 'user:1' }).toEqual(labelSet);
  });

  it('makes every prompt of a class from synonyms x templates', () => {
    expect(classPrompts({ classnames: [['a', 'b'], ['c']], templates: ['x CLASSNAME', 'CLASSNAME y'] })).toEqual([
      ['x a', 'a y', 'x b', 'b y'],
      ['x c', 'c y'],
    ]);
  });

  it.each([
    ['not json', 'The file is not JSON'],
    ['[]', 'expected an object'],
    [JSON.stringify({ classnames: [['only one']], templates: ['CLASSNAME'] }), 'at least two classes'],
    [JSON.stringify({ classnames: [['a'], ['b']], templates: ['no placeholder'] }), 'has no CLASSNAME placeholder'],
    [JSON.stringify({ classnames: [['a'], ['A']], templates: ['CLASSNAME'] }), 'appears twice'],
    [JSON.stringify({ classnames: [['a'], [' ']], templates: ['CLASSNAME'] }), 'Synonym 1 of class 2 is empty'],
    [JSON.stringify({ classnames: [['a'], [3]], templates: ['CLASSNAME'] }), 'Synonym 1 of class 2 is not text'],
  ])('refuses %s with a sentence', (text, sentence) => {
    expect(() => parseLabelSetJson(text, 'x', 'user:x')).toThrow(LabelSetError);
    expect(() => parseLabelSetJson(text, 'x', 'user:x')).toThrow(sentence);
  });

  it('accepts plain strings as one-synonym classes and CLASSNAME alone when templates are missing', () => {
    expect(validateLabelSet({ name: ' Tumour  vs normal ', classnames: ['tumour', 'normal'], templates: undefined })).toEqual({
      name: 'Tumour vs normal',
      classnames: [['tumour'], ['normal']],
      templates: ['CLASSNAME'],
    });
  });

  it('ships valid presets for lung, colon and tumour vs normal', () => {
    expect(PRESET_LABEL_SETS.map((preset) => preset.name)).toEqual(['Lung tissue', 'Colon', 'Tumour vs normal']);
    for (const preset of PRESET_LABEL_SETS) expect(() => validateLabelSet(preset)).not.toThrow();
  });
});
