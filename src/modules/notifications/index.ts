export { Notifications, type MessageSummary, type NotificationsDeps, type NotificationsOptions } from './notifications.js';
export { type NotificationError, type NotificationOutcome, type NotificationRequest } from './notification-request.js';
export { NOTIFICATION_STATUSES, type NotificationStatus, type NotificationView, type Postponement } from './notification-store.js';
export { DEFAULT_TIME_ZONE, isTimeZone, parseQuietHours, quietHoursEnd, type QuietHours } from './quiet-hours.js';
export { placeParameters, type FriendlyParameters, type Placement } from './template-components.js';
