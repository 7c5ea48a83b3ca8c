/**
 * A DICOM slide on a DICOMweb server (PS3.18): a series URL (…/studies/{study}/series/{series}) or a study URL
 * whose one slide is found with QIDO-RS; the series' instances and their attributes from WADO-RS metadata;
 * tiles asked for together go in one WADO-RS frame-list request (frame-batcher.ts), whose answer is read part by
 * part as it arrives. Frames are asked for as stored (`transfer-syntax=*`): asking for image/jpeg makes some
 * servers (Orthanc) transcode to JPEG Lossless, which browsers cannot decode. The transfer syntax of each frame
 * is read from its part's Content-Type (series metadata does not carry it).
 * An optional bearer token goes with every request. Browsers need the server on the page's origin (or CORS).
 */
import { SlideError } from '../slide-source';
import { jsonAttributes, TAG, type DicomJson } from './dicom-attributes';
import { DicomSlideSource, type DicomSlideOptions, type FrameReader } from './dicom-slide';
import { FrameBatcher } from './frame-batcher';
import { MultipartReader, multipartBoundary, partTransferSyntax, type MultipartPart } from './multipart';
import { planWsiSeries, type WsiInstance } from './wsi-series';

export interface DicomWebAddress {
  /** The service root, e.g. https://pacs.example/dicom-web. */
  base: string;
  study: string;
  series: string | null;
}

const UID = '[0-9]+(?:\\.[0-9]+)*';

/** The service root, study and series of a DICOMweb URL; null when the URL has no /studies/{uid}. */
export function parseDicomWebUrl(url: string): DicomWebAddress | null {
  const match = new RegExp(`^(.*?)/studies/(${UID})(?:/series/(${UID}))?/?(?:[?#].*)?$`).exec(url.trim());
  if (!match) return null;
  return { base: match[1]!, study: match[2]!, series: match[3] ?? null };
}

export interface DicomWebOptions extends DicomSlideOptions {
  fetch: typeof fetch;
  /** Sent as `Authorization: Bearer …` with every request. */
  bearerToken?: string;
}

/** Frames as stored, whatever the syntax; PS3.18 8.7.3.5.2. */
const FRAME_ACCEPT = 'multipart/related; type="application/octet-stream"; transfer-syntax=*';
const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
/** Single-part answers some servers give, by media type. */
const MEDIA_SYNTAX: Record<string, string> = {
  'image/jpeg': '1.2.840.10008.1.2.4.50',
  'image/jp2': '1.2.840.10008.1.2.4.91',
  'image/j2k': '1.2.840.10008.1.2.4.91',
  'application/octet-stream': EXPLICIT_VR_LITTLE_ENDIAN,
};

class DicomWebClient {
  constructor(
    private readonly fetchImpl: typeof fetch,
    private readonly bearerToken?: string,
  ) {}

  async get(url: string, accept: string, signal?: AbortSignal): Promise<Response> {
    const headers: Record<string, string> = { Accept: accept };
    if (this.bearerToken) headers.Authorization = `Bearer ${this.bearerToken}`;
    let response: Response;
    try {
      response = await this.fetchImpl(url, { headers, signal });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new SlideError(
        `Could not reach the DICOMweb server at ${url} (${(error as Error).message}); check the address, and that the server is on this page's origin or allows it (CORS).`,
      );
    }
    if (response.status === 401 || response.status === 403) {
      throw new SlideError(`The DICOMweb server refused ${url} (${response.status}); it needs a valid access token.`);
    }
    if (!response.ok) throw new SlideError(`The DICOMweb server answered ${response.status} ${response.statusText} for ${url}.`);
    return response;
  }

  async json(url: string, signal?: AbortSignal): Promise<DicomJson[]> {
    const response = await this.get(url, 'application/dicom+json', signal);
    const text = await response.text();
    if (text.trim() === '') return []; // QIDO-RS: 204 or an empty body when nothing matches
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new SlideError(`The DICOMweb server's answer for ${url} is not DICOM JSON.`);
    }
    if (!Array.isArray(parsed)) throw new SlideError(`The DICOMweb server's answer for ${url} is not a list of DICOM JSON datasets.`);
    return parsed as DicomJson[];
  }
}

/** The whole-slide series of a study (QIDO-RS); a sentence when there is none or more than one. */
async function findSeries(client: DicomWebClient, address: DicomWebAddress, signal?: AbortSignal): Promise<string> {
  const url = `${address.base}/studies/${address.study}/series?Modality=SM`;
  const found = (await client.json(url, signal)).map(jsonAttributes).flatMap((series) => series.text(TAG.SeriesInstanceUID) ?? []);
  if (found.length === 1) return found[0]!;
  if (found.length === 0) throw new SlideError(`Study ${address.study} on the DICOMweb server holds no slide (no series of modality SM).`);
  throw new SlideError(
    `Study ${address.study} holds ${found.length} slides; open one of them by its series URL: ${found.map((uid) => `${address.base}/studies/${address.study}/series/${uid}`).join(', ')}.`,
  );
}

interface WebInstance {
  url: string;
}

interface WebFrame {
  bytes: Uint8Array;
  transferSyntax: string;
}

/** The syntax of a part, from its own Content-Type, or the answer's. */
function partFrame(part: MultipartPart, contentType: string): WebFrame {
  const partType = part.headers['content-type'] ?? contentType;
  const syntax = partTransferSyntax(partType) ?? MEDIA_SYNTAX[partType.split(';')[0]!.trim().toLowerCase()] ?? EXPLICIT_VR_LITTLE_ENDIAN;
  return { bytes: part.body, transferSyntax: syntax };
}

/**
 * The frames of one WADO-RS answer, in the order asked (PS3.18), each with the syntax its part names, handed
 * over one by one as the body arrives (a frame can be decoding while the next ones are still coming).
 */
async function readFrames(response: Response, url: string, deliver: (index: number, frame: WebFrame) => void): Promise<void> {
  const contentType = response.headers.get('Content-Type') ?? '';
  const boundary = multipartBoundary(contentType);
  if (!boundary) {
    const media = contentType.split(';')[0]!.trim().toLowerCase();
    const syntax = partTransferSyntax(contentType) ?? MEDIA_SYNTAX[media];
    if (!syntax) throw new SlideError(`The DICOMweb server sent a frame as ${media || 'an unnamed type'}, which PathoLens cannot decode (${url}).`);
    deliver(0, { bytes: new Uint8Array(await response.arrayBuffer()), transferSyntax: syntax });
    return;
  }
  const multipart = new MultipartReader(boundary);
  let index = 0;
  const take = (chunk: Uint8Array) => {
    for (const part of multipart.push(chunk)) deliver(index++, partFrame(part, contentType));
  };
  if (response.body) {
    const reader = response.body.getReader();
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) take(chunk.value);
  } else {
    take(new Uint8Array(await response.arrayBuffer()));
  }
  try {
    multipart.finish();
  } catch (error) {
    throw new SlideError(`The DICOMweb server's frame answer for ${url} is damaged (${(error as Error).message}).`);
  }
}

function webFrames(client: DicomWebClient): FrameReader<WebInstance> {
  const batcher = new FrameBatcher<WebFrame>(async (instanceUrl, frames, deliver) => {
    const url = `${instanceUrl}/frames/${frames.join(',')}`;
    await readFrames(await client.get(url, FRAME_ACCEPT), url, deliver);
  });
  return {
    instanceKey: (instance) => instance.handle.url,
    async readFrame(instance, frame, signal) {
      const { bytes, transferSyntax } = await batcher.request(instance.handle.url, frame + 1, signal);
      return { bytes: { planes: [bytes] }, transferSyntax };
    },
    close: async () => {},
  };
}

/** Opens the slide a DICOMweb study or series URL names. */
export async function openDicomWeb(url: string, options: DicomWebOptions): Promise<DicomSlideSource<WebInstance>> {
  const address = parseDicomWebUrl(url);
  if (!address) throw new SlideError(`${url} is not a DICOMweb study or series URL (…/studies/{uid}/series/{uid}).`);
  const client = new DicomWebClient(options.fetch, options.bearerToken);
  const series = address.series ?? (await findSeries(client, address, options.signal));
  const seriesUrl = `${address.base}/studies/${address.study}/series/${series}`;
  const metadata = await client.json(`${seriesUrl}/metadata`, options.signal);
  if (metadata.length === 0) throw new SlideError(`The DICOMweb server has no instances in series ${series}.`);
  const instances: WsiInstance<WebInstance>[] = metadata.map((json) => {
    const attributes = jsonAttributes(json);
    return { attributes, handle: { url: `${seriesUrl}/instances/${attributes.text(TAG.SOPInstanceUID) ?? ''}` } };
  });
  // The compression is known once a frame has come: the server names its transfer syntax per frame.
  return DicomSlideSource.open(seriesUrl, planWsiSeries(seriesUrl, instances), webFrames(client), null, options);
}
