/**
 * The platform side of bench/campaign.ts, in its own process (so its memory is its own): the
 * platform on SQLite (or BENCH_DATABASE_URL) with an external sandbox (SANDBOX_URL), one number
 * at BENCH_MPS with an unlimited messaging tier and an approved UTILITY template. Prints its URL
 * and admin key as one JSON line, then serves until SIGTERM.
 */
import { BENCH_KEY, call, startBenchPlatform } from './fixture.js';

const MPS = Number(process.env.BENCH_MPS ?? 1000);

const { app, started, numbers } = await startBenchPlatform({ numbers: 1, mps: MPS });
const number = numbers[0]!;
await call(`${started.platformUrl}/api/v1/phone-numbers/${number.id}/messaging-limit`, 'PUT', { tier: 'unlimited' }, BENCH_KEY);
console.log(JSON.stringify({ url: started.platformUrl, key: BENCH_KEY, number: number.id, database: app.database.description }));
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
