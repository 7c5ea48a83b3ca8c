/**
 * The built-in demo bank, on the built-in demo slide. That slide is a procedural H&E-like picture (cli/he-pattern.ts:
 * glass, pink fibrous stroma, purple round nuclei) and not a patient's tissue, so these questions ask only about what
 * it visibly shows; they teach how to read the panel, not pathology. Regions were chosen by rendering the pattern.
 */
import { BANK_FORMAT, type QuestionBank } from './bank-schema';

export const DEMO_SLIDE = 'demo';

export const DEMO_BANK: QuestionBank = {
  format: BANK_FORMAT,
  version: 1,
  id: 'demo',
  title: 'Demo bank (synthetic demo slide)',
  description: 'A demo: three questions on the built-in synthetic H&E-like slide, to try Practice at once.',
  questions: [
    {
      id: 'demo-nuclei',
      stem: 'In this H&E-stained region, what are the small round dark purple structures?',
      options: ['Cell nuclei stained by haematoxylin', 'Red blood cells', 'Air bubbles under the coverslip', 'Fat vacuoles'],
      answer: 0,
      explanation:
        'Haematoxylin stains nucleic acids blue-purple, so nuclei appear as round purple dots. Red cells and fat would be pink or empty, not purple. (Demo slide: the picture is synthetic.)',
      tags: ['demo', 'stains'],
      difficulty: 'easy',
      source: 'PathoLens demo (synthetic slide)',
      image: { kind: 'slide-region', slide: DEMO_SLIDE, region: { x: 8192, y: 2048, width: 512, height: 512 } },
    },
    {
      id: 'demo-stroma',
      stem: 'What gives the background between the nuclei its pink colour in this H&E region?',
      options: ['Eosin staining cytoplasm and extracellular fibres', 'Haematoxylin', 'Iron deposits', 'Mucin'],
      answer: 0,
      explanation: 'Eosin is the pink counterstain of H&E; it colours cytoplasm and fibrous stroma such as collagen. (Demo slide: the picture is synthetic.)',
      tags: ['demo', 'stains'],
      difficulty: 'easy',
      source: 'PathoLens demo (synthetic slide)',
      image: { kind: 'slide-region', slide: DEMO_SLIDE, region: { x: 8192, y: 10240, width: 512, height: 512 } },
    },
    {
      id: 'demo-glass',
      stem: 'This region at the corner of the slide is almost uniformly white. What does it show?',
      options: ['Empty glass with no tissue', 'Necrosis', 'Dense fibrosis', 'Lymphoid tissue'],
      answer: 0,
      explanation:
        'A uniformly white area with no stained structures is glass outside the tissue section. Necrosis and fibrosis still stain pink. (Demo slide: the picture is synthetic.)',
      tags: ['demo', 'orientation'],
      difficulty: 'easy',
      source: 'PathoLens demo (synthetic slide)',
      image: { kind: 'slide-region', slide: DEMO_SLIDE, region: { x: 0, y: 0, width: 512, height: 512 } },
    },
  ],
};
