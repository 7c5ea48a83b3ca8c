/**
 * A slide's session in and out of the stores: collects the open slide's regions, its Ask conversations and the
 * reviews of those answers (with a PNG of each region) into a session zip; imports one into the open slide when
 * it is that slide (slide identity), adding to what is there (session-merge.ts).
 */
import { askStore, regionSnapshotPng, slideAskStore, slideReviewId, type AskAnswer, type SlideAnswer } from '../ask';
import { browserFeedbackStore, type FeedbackRecord, type FeedbackStore } from '../feedback';
import { roiBounds } from '../../session/roi';
import { slideStore } from '../../session/slide-store';
import { errorDetail } from '../../ui/error-sentence';
import { readSessionZip, writeSessionZip, MAX_SESSION_FILE_BYTES, type SessionContents } from './session-format';
import { feedbackToSave, matchRegions, mergeAnswers, mergeSlideAnswers, regionIdMap } from './session-merge';

/** Longer side of each region's snapshot in the file. */
const SNAPSHOT_SIDE = 512;

function dataUrlBytes(dataUrl: string): Uint8Array {
  const binary = atob(dataUrl.slice(dataUrl.indexOf(',') + 1));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

/** Whether a review is of one of these answers (a region answer, or an "Ask the slide" answer). */
function belongsTo(record: FeedbackRecord, answers: readonly AskAnswer[], slideAnswers: readonly SlideAnswer[]): boolean {
  return (
    answers.some((answer) => record.id === `ask:${answer.conversationId}:${answer.id}`) || slideAnswers.some((answer) => record.id === slideReviewId(answer))
  );
}

export interface SessionExport {
  fileName: string;
  bytes: Uint8Array;
  summary: string;
}

/** The open slide's session as a zip; null when no slide is open. */
export async function exportOpenSession(feedbackStore: FeedbackStore = browserFeedbackStore()): Promise<SessionExport | null> {
  const { slide, rois } = slideStore.getState();
  if (!slide) return null;
  const answers = askStore.getState().answers;
  const slideAnswers = slideAskStore.getState().answers;
  const feedback = (await feedbackStore.all()).filter((record) => belongsTo(record, answers, slideAnswers));
  const snapshots: Record<string, Uint8Array> = {};
  for (const roi of rois) {
    try {
      const png = await regionSnapshotPng(slide.source, roiBounds(roi.shape), SNAPSHOT_SIDE);
      if (png) snapshots[roi.id] = dataUrlBytes(png);
    } catch {
      // a region that cannot be read (outside the image, a failing tile) is exported without its picture
    }
  }
  const session: SessionContents = {
    slide: { identity: slide.identity, name: slide.metadata.name, width: slide.metadata.width, height: slide.metadata.height },
    exportedAt: new Date().toISOString(),
    regions: rois.map((roi) => structuredClone(roi)),
    answers: answers.map(({ tokens: _live, ...answer }) => structuredClone(answer)),
    slideAnswers: slideAnswers.map((answer) => structuredClone(answer)),
    feedback: feedback.map((record) => ({ ...record })),
    snapshots,
  };
  const base = slide.metadata.name.replace(/\.[^.]+$/, '') || 'slide';
  const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
  return {
    fileName: `${base}.patholens-session.zip`,
    bytes: writeSessionZip(session),
    summary: `Exported ${count(rois.length, 'region')}, ${count(answers.length, 'answer')}${
      slideAnswers.length > 0 ? `, ${count(slideAnswers.length, '“Ask the slide” answer')}` : ''
    } and ${count(feedback.length, 'review')}.`,
  };
}

export interface SessionImportResult {
  /** What was added, or why nothing was. */
  summary: string;
  /** One sentence per item left out. */
  problems: string[];
  ok: boolean;
}

/** Reads `file` and adds its session to the open slide; never removes anything already there. */
export async function importSessionFile(file: File, feedbackStore: FeedbackStore = browserFeedbackStore()): Promise<SessionImportResult> {
  const open = slideStore.getState().slide;
  if (!open) return { ok: false, summary: 'Open the slide this session belongs to first, then import it.', problems: [] };
  if (file.size > MAX_SESSION_FILE_BYTES) {
    return {
      ok: false,
      summary: `${file.name} is ${(file.size / 1024 / 1024).toFixed(1)} MB; PathoLens opens session files up to ${MAX_SESSION_FILE_BYTES / 1024 / 1024} MB. Nothing was imported.`,
      problems: [],
    };
  }
  let read;
  try {
    read = readSessionZip(new Uint8Array(await file.arrayBuffer()), file.name);
  } catch (error) {
    return { ok: false, summary: `${file.name} could not be read: ${errorDetail(error).replace(/\.$/, '')}. Nothing was imported.`, problems: [] };
  }
  const { session, problems } = read;
  if (!session) return { ok: false, summary: `${problems[0] ?? `${file.name} could not be read.`} Nothing was imported.`, problems: problems.slice(1) };
  if (session.slide.identity !== open.identity) {
    return {
      ok: false,
      summary: `${file.name} is the session of “${session.slide.name}”, not of the open slide “${open.metadata.name}” (another file, or the same name with other contents). Open that slide and import again; nothing was imported.`,
      problems: [],
    };
  }
  const here = slideStore.getState().rois;
  const match = matchRegions(here, session.regions);
  const added = slideStore.getState().addRois(match.toAdd);
  const roiIds = regionIdMap(match, added);
  const merge = mergeAnswers(askStore.getState().answers, session.answers, roiIds);
  if (merge.added > 0) askStore.getState().restore(merge.answers as AskAnswer[]);
  const slideMerge = mergeSlideAnswers(slideAskStore.getState().answers, session.slideAnswers, open.identity);
  if (slideMerge.added > 0) slideAskStore.getState().restore(slideMerge.answers as SlideAnswer[]);
  let reviews = 0;
  try {
    const toSave = feedbackToSave(await feedbackStore.all(), session.feedback, merge.answerIdMap);
    for (const record of toSave) await feedbackStore.put(record);
    reviews = toSave.length;
  } catch (error) {
    problems.push(`The reviews in ${file.name} could not be saved: ${errorDetail(error).replace(/\.$/, '')}.`);
  }
  const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
  return {
    ok: true,
    summary: `Imported ${count(added.length, 'region')}, ${count(merge.added, 'answer')}${
      slideMerge.added > 0 ? `, ${count(slideMerge.added, '“Ask the slide” answer')}` : ''
    } and ${count(reviews, 'review')} from ${file.name}${
      match.toAdd.length < session.regions.length || merge.added < session.answers.length || slideMerge.added < session.slideAnswers.length
        ? ' (the rest were here already)'
        : ''
    }.`,
    problems,
  };
}
