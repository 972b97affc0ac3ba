import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * The app's pino logger. Credentials are redacted wherever they might appear. `destination`
 * (default stdout) lets tests read what would be logged.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
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
        // Sign-in and password bodies, session cookies and CSRF tokens of the agent inbox.
        'req.headers.cookie',
        'headers.cookie',
        'req.headers["x-csrf-token"]',
        '*.password',
        '*.current_password',
        '*.new_password',
        '*.csrf_token',
      ],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
