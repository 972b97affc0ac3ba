import { createHash, createHmac, randomUUID, timingSafeEqual, type Hash } from 'node:crypto';
import { metaFailure, type MetaFailure } from './meta-errors.js';

/** The app every sandbox access token belongs to (`GET /app`, `subscribed_apps`). */
export const SANDBOX_APP = { id: '1000000000000001', name: 'Conversa Sandbox App', link: 'http://127.0.0.1/' } as const;

/** The MIME types Meta's Resumable Upload API takes (`file_type`). */
export const UPLOAD_FILE_TYPES = ['application/pdf', 'image/jpeg', 'image/jpg', 'image/png', 'video/mp4'] as const;
/** The largest file the sandbox takes in a session (Meta documents no limit of its own; 100 MB is its largest media kind). */
export const UPLOAD_MAX_BYTES = 100 * 1024 * 1024;
/** Sessions kept in memory at once; the oldest goes first. */
const MAX_SESSIONS = 1000;
/** How long a handle is marked valid (`e:<epoch seconds>`); Meta does not document theirs, and the sandbox does not enforce it. */
const HANDLE_TTL_S = 30 * 24 * 3600;
const SESSION_PREFIX = 'upload:';

interface UploadSession {
  /** The part of the id between `upload:` and `?sig=`. */
  key: string;
  id: string;
  fileName: string;
  fileLength: number;
  fileType: string;
  offset: number;
  /** The bytes are not kept: only their running digest. */
  hash: Hash;
  handle?: string;
}

/** What a handle says about its file: the declared type and the content digest. */
export interface UploadedFile {
  fileName: string;
  fileType: string;
  digest: string;
}

/** Whether a Graph object id (a path segment, decoded) names an upload session. */
export function isUploadSessionId(id: string): boolean {
  return id.startsWith(SESSION_PREFIX);
}

/**
 * Meta's Resumable Upload API as the sandbox keeps it: sessions in memory (like media, they do
 * not survive a restart), and handles signed with the app secret, so a handle this sandbox
 * issued is recognised later (after a restart too) without storing it.
 */
export class UploadSessions {
  readonly #sessions = new Map<string, UploadSession>();

  /** `POST /{app-id}/uploads`: a new session; answers its id (`upload:<key>?sig=<sig>`, as Meta's look). */
  create(input: Record<string, unknown>, secret: string): { id: string } | MetaFailure {
    const name = input.file_name;
    const length = input.file_length;
    const type = input.file_type;
    if (name === undefined || name === '') return metaFailure(131008, 'file_name: is required (the name of the file)');
    if (typeof name !== 'string' || name.length > 255) return metaFailure(100, 'file_name: must be a file name of up to 255 characters');
    if (length === undefined || length === '') return metaFailure(131008, 'file_length: is required (the file size in bytes)');
    const fileLength = typeof length === 'number' ? length : typeof length === 'string' && /^\d+$/.test(length) ? Number(length) : Number.NaN;
    if (!Number.isSafeInteger(fileLength) || fileLength < 1 || fileLength > UPLOAD_MAX_BYTES) {
      return metaFailure(100, `file_length: must be the file size in bytes, 1 to ${UPLOAD_MAX_BYTES}`);
    }
    if (type === undefined || type === '') return metaFailure(131008, `file_type: is required (one of ${UPLOAD_FILE_TYPES.join(', ')})`);
    if (typeof type !== 'string' || !(UPLOAD_FILE_TYPES as readonly string[]).includes(type)) {
      return metaFailure(100, `file_type: must be one of ${UPLOAD_FILE_TYPES.join(', ')}`);
    }
    const key = Buffer.from(`1:attachment:${randomUUID()}?file_name=${encodeURIComponent(name)}&file_length=${fileLength}&file_type=${type}`).toString('base64url');
    const id = `${SESSION_PREFIX}${key}?sig=${sign(secret, `session:${key}`)}`;
    if (this.#sessions.size >= MAX_SESSIONS) this.#sessions.delete(this.#sessions.keys().next().value as string);
    this.#sessions.set(key, { key, id, fileName: name, fileLength, fileType: type, offset: 0, hash: createHash('sha256') });
    return { id };
  }

  /**
   * The session an id names. The signature comes in the query (`/upload:<key>?sig=<sig>`, the id
   * used as a path as Meta's docs do) or inside the id (the whole id URL-encoded as one segment).
   */
  find(idSegment: string, sigQuery: string | undefined, secret: string): UploadSession | undefined {
    const [rawKey = '', inlineSig] = idSegment.slice(SESSION_PREFIX.length).split('?sig=');
    const session = this.#sessions.get(rawKey);
    const sig = inlineSig ?? sigQuery;
    if (!session || !sig || !same(sig, sign(secret, `session:${rawKey}`))) return undefined;
    return session;
  }

  /** `GET /{upload-session-id}`: how many bytes arrived (where to resume). */
  status(session: UploadSession): { id: string; file_offset: number } {
    return { id: session.id, file_offset: session.offset };
  }

  /**
   * `POST /{upload-session-id}` with `file_offset` and bytes: the bytes must start where the
   * session is and must not go past `file_length`. Answers the handle when the file is complete,
   * else where the session now is.
   */
  append(session: UploadSession, offset: number, chunk: Buffer, secret: string, nowMs: number): { h: string } | { id: string; file_offset: number } | MetaFailure {
    if (session.handle !== undefined && chunk.length === 0) return { h: session.handle };
    if (session.handle !== undefined) return metaFailure(100, `The upload is complete (${session.fileLength} bytes); start a new session for another file.`);
    if (offset !== session.offset) {
      return metaFailure(100, `file_offset: the upload session is at byte ${session.offset}, not ${offset}; resume from ${session.offset} (GET /{upload-session-id} answers file_offset)`);
    }
    if (offset + chunk.length > session.fileLength) {
      return metaFailure(100, `file_length: the data goes past the declared file_length (${session.fileLength} bytes; ${offset + chunk.length} sent)`);
    }
    session.hash.update(chunk);
    session.offset += chunk.length;
    if (session.offset < session.fileLength) return this.status(session);
    const digest = session.hash.digest('base64url');
    const unsigned = `2:${Buffer.from(session.fileName).toString('base64url')}:${session.fileType}:${digest}:e:${Math.floor(nowMs / 1000) + HANDLE_TTL_S}`;
    session.handle = `${unsigned}:${sign(secret, `handle:${unsigned}`)}`;
    return { h: session.handle };
  }
}

/** The file behind a handle this sandbox issued (signed with its app secret), or undefined. */
export function uploadedFile(handle: string, secret: string): UploadedFile | undefined {
  const parts = handle.split(':');
  if (parts.length !== 7 || parts[0] !== '2' || parts[4] !== 'e') return undefined;
  const sig = parts.pop() ?? '';
  if (!same(sig, sign(secret, `handle:${parts.join(':')}`))) return undefined;
  return { fileName: Buffer.from(parts[1] ?? '', 'base64url').toString(), fileType: parts[2] ?? '', digest: parts[3] ?? '' };
}

function sign(secret: string, what: string): string {
  return `AR${createHmac('sha256', secret).update(what).digest('base64url').slice(0, 24)}`;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
