import pino, { type Logger } from 'pino';

/** The app's pino logger. Credentials are redacted wherever they might appear. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { app: 'conversa' },
    redact: {
      paths: [
        'req.headers.authorization',
        'headers.authorization',
        '*.accessToken',
        '*.appSecret',
        '*.verifyToken',
        '*.access_token',
        '*.app_secret',
        '*.verify_token',
        '*.key',
      ],
      censor: '[redacted]',
    },
  });
}
