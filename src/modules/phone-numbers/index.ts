export { PhoneNumbers, type ConnectPhoneNumber, type PhoneNumberView, type Provider, type ProviderState, type WebhookDirectory, type WebhookSecret } from './phone-numbers.js';
export { numberRefreshLoop, PhoneNumberRefresher, type RefreshOutcome } from './refresh-number.js';
export {
  DEFAULT_GRAPH_VERSION,
  META_GRAPH_BASE_URL,
  PhoneNumberConnector,
  type ConnectCloudApiNumber,
  type ConnectOutcome,
  type ConnectSandboxNumber,
  type PhoneNumberReader,
  type SandboxAccounts,
} from './connect-number.js';
export { registerAccountInbound } from './account-inbound.js';
export { NumberSettings, explainMetaError, type SettingsGraph, type SettingsOutcome } from './number-settings.js';
export { checkProfilePicture, PROFILE_PICTURE_MAX_BYTES, PROFILE_PICTURE_MIN_PX, type PictureCheck } from './profile-picture.js';
export { BlockedUsers, forgetBlockedUser, type BlockFailure, type BlockResult, type BlockedUserView } from './blocked-users.js';
