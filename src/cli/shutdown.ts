/** Runs `fn` once on SIGINT or SIGTERM, then lets the process exit; resolves after that. */
export function onShutdown(fn: () => Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    let done = false;
    const handler = () => {
      if (done) return;
      done = true;
      fn().then(resolve, (error: unknown) => {
        console.error(error);
        process.exitCode = 1;
        resolve();
      });
    };
    process.once('SIGINT', handler);
    process.once('SIGTERM', handler);
  });
}
