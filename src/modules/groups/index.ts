export { checkGroupPicture, GROUP_PICTURE_MAX_BYTES, Groups, type GroupOutcome, type GroupParticipantView, type GroupRecipient, type GroupsDeps, type GroupsGraph, type GroupView } from './groups.js';
export { GroupInbound } from './group-inbound.js';
