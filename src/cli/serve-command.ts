import { buildApp, type BuildOptions } from '../app/index.js';
import { loadConfig } from '../config/index.js';
import { onShutdown } from './shutdown.js';

/**
 * `conversa serve`: the platform plus the embedded sandbox; prints the URLs, the first admin key,
 * the sandbox's control token when it was generated, and warnings. `options` are build knobs
 * for tests that run the real command in a child process (test/support/serve-process.ts).
 */
export async function runServe(args: string[], options: BuildOptions = {}): Promise<number> {
  if (args.includes('--help')) {
    console.log(
      'Usage: conversa serve\n\nRuns the platform on HOST:PORT (default 127.0.0.1:3000) and the embedded sandbox on SANDBOX_HOST:SANDBOX_PORT\n(default 127.0.0.1:3100; beyond loopback its control API requires SANDBOX_CONTROL_TOKEN, or a token printed at start).',
    );
    return 0;
  }
  const config = loadConfig();
  const app = await buildApp(config, options);
  const started = await app.start();
  const lines = [
    '',
    `  Conversa is running`,
    `  Platform   ${started.platformUrl}   (health: ${started.platformUrl}/healthz)`,
    `  Inbox      ${started.platformUrl}/   (the agent inbox web app; the phone page at ${started.platformUrl}/phone)`,
    `  Webhook    ${started.platformUrl}/webhooks/whatsapp`,
  ];
  if (started.sandboxUrl && started.sandboxNumber) {
    lines.push(
      `  Sandbox    ${started.sandboxUrl}   (Graph API + ${started.sandboxUrl}/sandbox/v1)`,
      `             WABA ${started.sandboxNumber.waba_id}, phone number id ${started.sandboxNumber.phone_number_id} (+${started.sandboxNumber.display_phone_number})`,
      `             access token: the value of SANDBOX_ACCESS_TOKEN (default "${config.sandbox.accessToken === 'sandbox-access-token' ? 'sandbox-access-token' : '(set)'}")`,
    );
    const control = started.sandboxControlToken;
    if (control) {
      lines.push(
        control.generated
          ? `             control token (generated, the sandbox listens beyond loopback): ${control.token}`
          : '             control token: the value of SANDBOX_CONTROL_TOKEN',
        `             send it to ${started.sandboxUrl}/sandbox/v1 as "Authorization: Bearer <token>"`,
      );
    }
  }
  lines.push(`  Data       ${config.dataDir}`);
  for (const warning of started.warnings) lines.push('', `  WARNING: ${warning}`);
  if (started.generatedAdminKey) {
    lines.push('', `  Admin API key (shown once, store it now): ${started.generatedAdminKey}`);
  }
  if (started.firstAdmin) {
    lines.push('', `  First admin of the agent inbox: ${started.firstAdmin.email}`, `  One-time password (shown once; choose your own at the first sign-in): ${started.firstAdmin.oneTimePassword}`);
  }
  console.log(`${lines.join('\n')}\n`);
  await onShutdown(async () => {
    app.logger.info('shutting down');
    await app.close();
  });
  return 0;
}
