import { useEffect, useState } from 'react';
import { FeedbackPanel } from '../../feedback';
import { slideStore } from '../../../session/slide-store';
import { reviewImagePng } from '../region-snapshot';
import type { SlideAnswer } from './slide-ask-store';
import { slideReviewId } from './slide-review-id';

type Images = Blob[] | { unavailable: string } | null;

/**
 * "Review this answer" under an "Ask the slide" answer: the same Feedback panel as a region answer's, keeping one
 * image per region in the order the prompt showed them (Region 1, Region 2…). The regions are read from the open
 * slide only when the review is opened.
 */
export function SlideAnswerFeedback({ answer }: { answer: SlideAnswer }) {
  const [open, setOpen] = useState(false);
  const [images, setImages] = useState<Images>(null);
  useEffect(() => {
    if (!open || images !== null) return;
    const slide = slideStore.getState().slide;
    let cancelled = false;
    const read = async (): Promise<Images> => {
      if (!slide || slide.identity !== answer.slideIdentity) return { unavailable: 'This answer’s slide is not the open one, so its regions cannot be read.' };
      if (answer.regions.length === 0) return { unavailable: 'This answer was given without regions, so there is nothing to review it against.' };
      const blobs: Blob[] = [];
      for (const region of answer.regions) {
        const blob = await reviewImagePng(slide.source, region.rect);
        if (!blob) return { unavailable: `Region ${region.number} of this answer cannot be read from the open slide, so it cannot be kept for review.` };
        blobs.push(blob);
      }
      return blobs;
    };
    read()
      .catch(() => ({ unavailable: 'The regions of this answer cannot be read from the open slide, so they cannot be kept for review.' }))
      .then((result) => {
        if (!cancelled) setImages(result);
      });
    return () => {
      cancelled = true;
    };
  }, [open, images, answer.slideIdentity, answer.regions]);

  return (
    <details className="mt-2 text-xs" onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary className="cursor-pointer text-slate-700">Review this answer</summary>
      {images === null && open && (
        <p className="mt-1 text-slate-600">Reading the {answer.regions.length === 1 ? 'region' : `${answer.regions.length} regions`}…</p>
      )}
      {images !== null && !Array.isArray(images) && <p className="mt-1 text-slate-600">{images.unavailable}</p>}
      {Array.isArray(images) && images.length > 0 && (
        <FeedbackPanel
          id={slideReviewId(answer)}
          source="ask-slide"
          image={images[0]!}
          moreImages={images.slice(1)}
          question={answer.question}
          options={answer.options}
          reasoning={answer.reasoning}
          answer={answer.answer}
        />
      )}
    </details>
  );
}
