import { spawn } from 'node:child_process';

/**
 * Runs the real `conversa` command (src/cli/main.ts) in a child process and collects its exit
 * code and output. `env` is laid over the test runner's environment (pass '' to clear a variable);
 * its standard input reads `input` (nothing when not given).
 */
export function conversa(args: string[], env: Record<string, string>, input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const cleared = Object.entries({ ...process.env, ...env }).filter(([, value]) => value !== '');
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { env: Object.fromEntries(cleared), stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.end(input ?? '');
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
