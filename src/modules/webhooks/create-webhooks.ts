import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Capabilities, Schema } from '../../db/index.js';
import { WebhookDeliveryWorker, type DeliveryWorkerOptions } from './delivery-worker.js';
import { WebhookFanOut, type FanOutOptions, type OutboxReader } from './fan-out.js';
import { UndiciWebhookTransport, type TransportOptions, type WebhookTransport } from './transport.js';
import { Webhooks, type OutboxHead, type SecretSealer } from './webhooks.js';

export interface WebhookModuleDeps {
  db: Kysely<Schema>;
  capabilities: Capabilities;
  box: SecretSealer;
  /** The event outbox (the Events module). */
  outbox: OutboxReader & OutboxHead;
  logger: Logger;
  now: () => Date;
}

export interface WebhookModuleOptions {
  fanOut?: FanOutOptions;
  delivery?: DeliveryWorkerOptions;
  transport?: TransportOptions;
  /** Replaces the undici transport (tests). */
  transportInstance?: WebhookTransport;
}

/** The webhooks module wired together: the service for the API and its two workers. */
export interface WebhookModule {
  readonly service: Webhooks;
  readonly fanOut: WebhookFanOut;
  readonly delivery: WebhookDeliveryWorker;
  start(): void;
  /** Stops both workers, waits for attempts in flight, closes the HTTP agent. */
  stop(): Promise<void>;
}

/**
 * Builds the webhooks module for the composition root.
 *
 * @example const webhooks = createWebhookModule({ db, capabilities, box, outbox: events, logger, now }); webhooks.start();
 */
export function createWebhookModule(deps: WebhookModuleDeps, options: WebhookModuleOptions = {}): WebhookModule {
  const transport = options.transportInstance ?? new UndiciWebhookTransport(options.transport);
  const delivery = new WebhookDeliveryWorker(deps.db, deps.capabilities, deps.box, transport, deps.logger.child({ component: 'webhook-delivery' }), deps.now, options.delivery);
  const fanOut = new WebhookFanOut(deps.db, deps.capabilities, deps.outbox, deps.logger.child({ component: 'webhook-fan-out' }), deps.now, options.fanOut, () => delivery.wake());
  const service = new Webhooks(deps.db, deps.box, deps.outbox, deps.now, () => delivery.wake(), { allowPrivate: options.transport?.allowPrivate ?? false });
  return {
    service,
    fanOut,
    delivery,
    start() {
      fanOut.start();
      delivery.start();
    },
    async stop() {
      await fanOut.stop();
      await delivery.stop();
      await transport.close();
    },
  };
}
