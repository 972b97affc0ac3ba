export { Desk, type ContactPanel, type DeskDeps, type Episode } from './desk.js';
export { CANNED_LIMITS, CannedReplies, type CannedOutcome, type CannedReplyView } from './canned-replies.js';
export { CANNED_VARIABLES, lintCannedText, renderCannedText, type CannedContext } from './canned-variables.js';
export { LABEL_LIMITS, Labels, checkLabels, type LabelsInput } from './labels.js';
export { MAX_NOTE_LENGTH, resolveMentions, type Mentionable } from './mentions.js';
export { MAX_NOTES_PAGE, Notes, type MentionView, type NoteView } from './notes.js';
export { SupervisorBoards, type SupervisorBoard } from './supervisor-board.js';
export { dayBounds, isTimeZone, percentile } from './day-figures.js';
export type { DeskPeople, DeskPerson, DeskTeam } from './ports.js';
