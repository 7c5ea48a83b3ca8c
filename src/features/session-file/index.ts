/** What the session-file feature offers the app: the Export / Import session actions for the open slide. */
export { SessionFileActions } from './SessionFileActions';
