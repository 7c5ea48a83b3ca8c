/** Pure metadata parsing: Aperio descriptions, TIFF resolution units, OME-XML sizes, decimal commas. */
import { describe, expect, it } from 'vitest';
import { isAperioDescription, parseAperioDescription } from '../../src/slide/aperio';
import { isOmeXml, parseOmeXml } from '../../src/slide/ome';
import { parseDecimal } from '../../src/slide/slide-numbers';
import { mppFromTiffResolution, tiffResolutionScaleNote } from '../../src/slide/tiff-resolution';
import { parseDzi, dziMaxLevel } from '../../src/slide/dzi';
import { iiifTileUrl, parseIiifInfo } from '../../src/slide/iiif';
import { SlideError } from '../../src/slide/slide-source';

describe('parseDecimal', () => {
  it.each([
    ['0.4990', 0.499],
    ['0,4990', 0.499],
    [' 20 ', 20],
    ['1e-1', 0.1],
    ['abc', null],
    ['', null],
    ['1,2,3', null],
    [undefined, null],
  ])('%s -> %s', (text, value) => expect(parseDecimal(text)).toBe(value));
});

describe('Aperio ImageDescription', () => {
  const description = 'Aperio Image Library v12.2.2 \r\n46000x32914 [0,100 46000x32914] (256x256) JPEG/RGB Q=30|AppMag = 20|MPP = 0,4990|Filename = CMU-1';
  it('is recognised by its prefix only', () => {
    expect(isAperioDescription(description)).toBe(true);
    expect(isAperioDescription('ImageJ=1.5')).toBe(false);
    expect(isAperioDescription(undefined)).toBe(false);
  });
  it('reads MPP with a decimal comma and AppMag', () => {
    const parsed = parseAperioDescription(description);
    expect(parsed.mpp).toBe(0.499);
    expect(parsed.appMag).toBe(20);
    expect(parsed.properties.Filename).toBe('CMU-1');
  });
  it('gives null for a missing or absurd MPP', () => {
    expect(parseAperioDescription('Aperio x|AppMag = 40').mpp).toBeNull();
    expect(parseAperioDescription('Aperio x|MPP = 0').mpp).toBeNull();
    expect(parseAperioDescription('Aperio x|MPP = nan').mpp).toBeNull();
  });
});

describe('TIFF resolution tags', () => {
  it("marks a scale from an image program's default density as unreliable, not a scanner's", () => {
    expect(tiffResolutionScaleNote(72, 2)).toMatch(/^The scale comes from the file's resolution tags \(72 pixels per inch, 352\.8 µm per pixel\)/);
    expect(tiffResolutionScaleNote(14861707 / 524288, 3)).toContain('72 pixels per inch'); // libvips's 72 dpi in cm
    expect(tiffResolutionScaleNote(300, 2)).toContain('300 pixels per inch');
    expect(tiffResolutionScaleNote(2000, 2)).toContain('12.7 µm per pixel'); // coarser than any slide scan
    expect(tiffResolutionScaleNote(40_000, 3)).toBeNull(); // 0.25 µm per pixel: a scanner's
    expect(tiffResolutionScaleNote(101_600, 2)).toBeNull();
    expect(tiffResolutionScaleNote(undefined, 2)).toBeNull();
  });

  it('converts pixels per centimetre and per inch to microns per pixel', () => {
    expect(mppFromTiffResolution(40_000, 3)).toBeCloseTo(0.25);
    expect(mppFromTiffResolution(101_600, 2)).toBeCloseTo(0.25);
    expect(mppFromTiffResolution(101_600, undefined)).toBeCloseTo(0.25); // the default unit is the inch
  });
  it('says nothing without an absolute unit or a value', () => {
    expect(mppFromTiffResolution(72, 1)).toBeNull();
    expect(mppFromTiffResolution(undefined, 3)).toBeNull();
    expect(mppFromTiffResolution(0, 3)).toBeNull();
  });
});

describe('OME-XML', () => {
  const xml = `<?xml version="1.0" encoding="UTF-8"?><OME xmlns="http://www.openmicroscopy.org/Schemas/OME/2016-06"><Instrument ID="Instrument:0"><Objective ID="Objective:0" NominalMagnification="40.0"/></Instrument><Image ID="Image:0"><Pixels DimensionOrder="XYCZT" ID="Pixels:0" PhysicalSizeX="250" PhysicalSizeXUnit="nm" PhysicalSizeY="0,25" SizeC="3" SizeT="1" SizeX="1000" SizeY="800" SizeZ="1" Type="uint8"/></Image></OME>`;
  it('reads physical size with units and decimal commas, and the objective', () => {
    expect(isOmeXml(xml)).toBe(true);
    const ome = parseOmeXml(xml);
    expect(ome.mppX).toBeCloseTo(0.25);
    expect(ome.mppY).toBeCloseTo(0.25);
    expect(ome.objectivePower).toBe(40);
  });
  it('is not confused by other XML', () => {
    expect(isOmeXml('<?xml version="1.0"?><svg/>')).toBe(false);
    expect(parseOmeXml('<OME><Pixels SizeX="5"/></OME>').mppX).toBeNull();
  });
});

describe('DZI and IIIF descriptors', () => {
  it('parses a DZI and derives its tile folder', () => {
    const d = parseDzi(
      '<Image xmlns="http://schemas.microsoft.com/deepzoom/2008" TileSize="254" Overlap="1" Format="jpg"><Size Width="5000" Height="3000"/></Image>',
      'https://x/slide.dzi',
    );
    expect(d).toMatchObject({ width: 5000, height: 3000, tileSize: 254, overlap: 1, format: 'jpg', filesUrl: 'https://x/slide_files' });
    expect(dziMaxLevel(d)).toBe(13);
    expect(() => parseDzi('<Image/>', 'u')).toThrow(SlideError);
  });
  it('parses IIIF v2 and v3 info.json and builds tile URLs', () => {
    const v3 = parseIiifInfo(
      {
        '@context': 'http://iiif.io/api/image/3/context.json',
        id: 'https://s/iiif/a',
        type: 'ImageService3',
        width: 1000,
        height: 700,
        tiles: [{ width: 256, scaleFactors: [1, 2, 4] }],
      },
      'u',
    );
    expect(v3.version).toBe(3);
    expect(iiifTileUrl(v3, 2, 1, 1)).toBe('https://s/iiif/a/512,512,488,188/244,94/0/default.jpg');
    const v2 = parseIiifInfo(
      { '@context': 'http://iiif.io/api/image/2/context.json', '@id': 'https://s/iiif/b', width: 100, height: 100, tiles: [{ width: 64, scaleFactors: [1] }] },
      'u',
    );
    expect(v2.version).toBe(2);
    expect(iiifTileUrl(v2, 1, 1, 0)).toBe('https://s/iiif/b/64,0,36,64/36,/0/default.jpg');
    expect(() => parseIiifInfo({}, 'u')).toThrow(SlideError);
  });
});
