/** Practice: question banks (JSON, CSV, zip), the demo bank, spaced review (FSRS). */
export { BANK_FORMAT, MAX_BANK_BYTES, MAX_QUESTIONS, formatItemError, parseBankJson } from './bank-schema';
export type { BankImport, ItemError, Question, QuestionBank, QuestionImage } from './bank-schema';
export { parseBankCsv } from './bank-csv';
export { exportBankZip, importBankZip } from './bank-zip';
export { DEMO_BANK, DEMO_SLIDE } from './demo-bank';
export { bankStore, useBankStore, MY_QUESTIONS_BANK_ID } from './bank-store';
export type { BankState } from './bank-store';
export { dueForReview, gradeForAnswer, newReviewCard, scheduleReview } from './review-schedule';
export type { AnswerGrade, ReviewCard } from './review-schedule';
export { chooseExamAnswer, scoreExam, selectExamQuestions, timeLeft } from './exam';
export type { Difficulty, ExamAnswers, ExamFilter, ExamResult, ExamReviewItem, ExamSelection } from './exam';
export { progressByDay, progressByTag } from './progress';
export type { AnswerRecord, Tally } from './progress';
export { cardKey, exportProgress, importProgress, listAttempts, openPracticeDb, recordAttempt, reviewCards } from './practice-history';
export type { Attempt } from './practice-history';
export { practiceKeyAction } from './practice-keys';
export type { PracticeKeyAction } from './practice-keys';
export { practiceQueue, imagePlacement, slideBaseName } from './practice-queue';
export type { ImagePlacement, OpenSlideInfo, PracticeQueue } from './practice-queue';
export { practiceModelMessages, readModelChoice } from './model-question';
export { practiceHistoryStore } from './practice-store';
/** The Practice tab (Practise, Exam, Progress, Banks). */
export { PracticePanel } from './PracticePanel';
