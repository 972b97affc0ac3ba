import { request } from 'undici';

/**
 * The platform's view of the sandbox's control API (`/sandbox/v1`), over HTTP like any other
 * client: the platform never reaches into the sandbox's memory. `controlToken` is sent as a
 * bearer token when the sandbox requires one (SANDBOX_CONTROL_TOKEN, or the embedded sandbox's).
 */
export class SandboxLink {
  constructor(
    readonly baseUrl: string,
    private readonly controlToken?: string,
  ) {}

  /** Creates (or confirms) a WABA with one phone number; idempotent on phone_number_id. */
  async ensureAccount(input: { waba_id?: string; phone_number_id?: string; display_phone_number?: string; verified_name?: string; throughput_mps?: number }): Promise<{
    waba_id: string;
    phone_number: { id: string; display_phone_number: string; verified_name: string; throughput: { messages_per_second: number } };
  }> {
    return this.#call('POST', '/sandbox/v1/accounts', input);
  }

  /** The sandbox's accounts (WABAs with their numbers). */
  async accounts(): Promise<Array<{ waba_id: string; phone_numbers: Array<{ id: string }> }>> {
    const response = await request(`${this.baseUrl}/sandbox/v1/accounts`, { headers: this.#auth() });
    const text = await response.body.text();
    if (response.statusCode !== 200) throw new Error(`Sandbox GET /sandbox/v1/accounts answered ${response.statusCode}: ${text}`);
    return (JSON.parse(text) as { data: Array<{ waba_id: string; phone_numbers: Array<{ id: string }> }> }).data;
  }

  /** Points the sandbox app's webhooks at `url`; the sandbox runs the handshake against it. */
  async subscribe(input: { url: string; verify_token: string; app_secret: string }): Promise<void> {
    await this.#call('PUT', '/sandbox/v1/webhook', input);
  }

  /**
   * Any control call, answered as it came (status and parsed JSON body): for the phone page's
   * proxy, which forwards the sandbox's refusals to the browser.
   */
  async control(method: 'GET' | 'POST', path: string, body?: object): Promise<{ status: number; body: unknown }> {
    const response = await request(`${this.baseUrl}${path}`, {
      method,
      headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...this.#auth() },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.body.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = { error: { message: text.slice(0, 200) } };
    }
    return { status: response.statusCode, body: parsed };
  }

  async #call<T>(method: 'POST' | 'PUT', path: string, body: object): Promise<T> {
    const response = await request(`${this.baseUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...this.#auth() },
      body: JSON.stringify(body),
    });
    const text = await response.body.text();
    if (response.statusCode >= 300) throw new Error(`Sandbox ${method} ${path} answered ${response.statusCode}: ${text}`);
    return JSON.parse(text) as T;
  }

  #auth(): Record<string, string> {
    return this.controlToken ? { authorization: `Bearer ${this.controlToken}` } : {};
  }
}
