import { parseArgs } from 'node:util';
import { createLogger } from '../app/index.js';
import { DEFAULT_SANDBOX_ACCESS_TOKEN, loadConfig } from '../config/index.js';
import { createSandbox } from '../sandbox/index.js';
import { onShutdown } from './shutdown.js';

const HELP = `Usage: conversa sandbox [options]

Runs the Cloud API sandbox alone: Graph API paths on /{version}/... and the simulated-customer
API on /sandbox/v1. Any WhatsApp Cloud API client works against it with only its base URL and
token changed.

Options:
  --port N              Port (default: SANDBOX_PORT or 3100)
  --host H              Address to bind (default: SANDBOX_HOST or 127.0.0.1). Beyond loopback the
                        control API requires a token (generated and printed when not given)
  --control-token T     Token the control API (/sandbox/v1) requires, as "Authorization: Bearer T"
                        or "X-Sandbox-Control-Token: T" (default: SANDBOX_CONTROL_TOKEN; when set
                        it is required on loopback too)
  --webhook-url URL     Where to send webhooks (verified with Meta's GET handshake first)
  --app-secret S        Secret that signs webhooks (X-Hub-Signature-256); generated if absent
  --verify-token T      Verify token for the handshake; generated if absent
  --access-token T      Bearer token Graph calls must carry (default: SANDBOX_ACCESS_TOKEN or "${DEFAULT_SANDBOX_ACCESS_TOKEN}")
  --state-file F        Keep accounts, templates and phones in this JSON file across restarts
  --review-delay-ms N   Delay before a template is approved or rejected (default 2000)
  --webhook-retry-base-ms N
                        First delay before a failed webhook is retried; doubles per attempt up
                        to 5 minutes, for 7 days (default 1000)`;

/** `conversa sandbox`: the standalone emulator. */
export async function runSandbox(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'control-token': { type: 'string' },
      'webhook-url': { type: 'string' },
      'app-secret': { type: 'string' },
      'verify-token': { type: 'string' },
      'access-token': { type: 'string' },
      'state-file': { type: 'string' },
      'review-delay-ms': { type: 'string' },
      'webhook-retry-base-ms': { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  // The flags go through the same validation as the variables they stand for.
  const config = loadConfig({
    ...process.env,
    ...(values.port ? { SANDBOX_PORT: values.port } : {}),
    ...(values.host ? { SANDBOX_HOST: values.host } : {}),
    ...(values['control-token'] ? { SANDBOX_CONTROL_TOKEN: values['control-token'] } : {}),
  });
  const reviewDelay = values['review-delay-ms'] === undefined ? undefined : Number(values['review-delay-ms']);
  if (reviewDelay !== undefined && !(Number.isInteger(reviewDelay) && reviewDelay >= 0)) {
    console.error('--review-delay-ms must be a whole number of milliseconds');
    return 2;
  }
  const retryBase = values['webhook-retry-base-ms'] === undefined ? undefined : Number(values['webhook-retry-base-ms']);
  if (retryBase !== undefined && !(Number.isInteger(retryBase) && retryBase >= 10)) {
    console.error('--webhook-retry-base-ms must be a whole number of milliseconds, at least 10');
    return 2;
  }
  const sandbox = await createSandbox({
    logger: createLogger(config.logLevel).child({ component: 'sandbox' }),
    accessToken: values['access-token'] ?? config.sandbox.accessToken,
    ...(config.sandbox.controlToken ? { controlToken: config.sandbox.controlToken } : {}),
    ...(values['state-file'] ? { stateFile: values['state-file'] } : {}),
    ...(values['app-secret'] ? { appSecret: values['app-secret'] } : {}),
    ...(values['verify-token'] ? { verifyToken: values['verify-token'] } : {}),
    ...(reviewDelay === undefined ? {} : { templateReviewDelayMs: reviewDelay }),
    ...(retryBase === undefined ? {} : { webhookRetryBaseMs: retryBase }),
  });
  const url = await sandbox.listen(config.sandbox.port, config.sandbox.host);
  const controlToken = sandbox.controlToken;
  const { state } = sandbox.engine;
  if (values['webhook-url']) {
    const response = await sandbox.app.inject({
      method: 'PUT',
      url: '/sandbox/v1/webhook',
      headers: controlToken ? { authorization: `Bearer ${controlToken}` } : {},
      payload: { url: values['webhook-url'], verify_token: state.app.verifyToken, app_secret: state.app.appSecret },
    });
    if (response.statusCode !== 200) {
      console.error(`Could not subscribe ${values['webhook-url']}: ${response.body}`);
      await sandbox.close();
      return 1;
    }
  }
  const numbers = [...state.phoneNumbers.values()];
  console.log(
    [
      '',
      `  Conversa Cloud API sandbox on ${url}`,
      `  Graph base URL   ${url}/v23.0   (any vNN.N, or none)`,
      `  Access token     ${values['access-token'] ? '(as given)' : config.sandbox.accessToken}`,
      ...numbers.map((n) => `  Phone number id  ${n.id}   (+${n.displayPhoneNumber}, WABA ${n.wabaId})`),
      `  Webhooks         ${state.app.webhookUrl ?? '(none yet: PUT /sandbox/v1/webhook)'}`,
      `  Control API      ${url}/sandbox/v1   (OpenAPI: ${url}/sandbox/v1/openapi.json)`,
      controlToken === undefined
        ? '  Control token    none (loopback only; set SANDBOX_CONTROL_TOKEN or --control-token to require one)'
        : controlToken === config.sandbox.controlToken
          ? '  Control token    (as given) — send "Authorization: Bearer <token>" to /sandbox/v1'
          : `  Control token    ${controlToken}   (generated: the sandbox listens beyond loopback; send "Authorization: Bearer <token>")`,
      '',
    ].join('\n'),
  );
  await onShutdown(() => sandbox.close());
  return 0;
}
