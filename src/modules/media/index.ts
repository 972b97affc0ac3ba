export { MediaDownloader, type MediaDownloaderOptions, type MediaEndpointDirectory, type MediaFetcher } from './media-downloader.js';
export { INBOUND_MEDIA_TTL_MS, MediaLibrary, type InboundMediaInput, type MediaSendRefusal, type MediaSendRefusalCode, type MediaView } from './media-library.js';
export { OUR_MEDIA_ID, findMediaReferences, type MediaReference } from './media-references.js';
export { MAX_MEDIA_BYTES, MEDIA_KINDS, MEDIA_RULES, mediaKindOf, type MediaKind } from './media-rules.js';
export { MediaRemoval, type MediaDeleter, type MediaRemovalDirectory, type MediaRemovalRefusal } from './media-removal.js';
export { LocalDiskMediaStorage, storageKeyOf, type MediaStorage } from './media-storage.js';
export { ProviderMedia, REUPLOAD_MARGIN_MS, UPLOADED_MEDIA_TTL_MS, type GraphFailure, type MediaUploader } from './provider-media.js';
export { checkUpload, sha256Hex, type CheckedUpload, type UploadCheck, type UploadError, type UploadErrorCode } from './upload-check.js';
export { expireReceivedMedia, pruneFinishedMediaDownloads, type RetentionCursor } from './media-retention.js';
