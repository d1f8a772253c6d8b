import { ExitCode } from '../../errors.ts';

/** 128 + signal number, as shells report a process ended by the signal. */
const EXIT_ON: Record<'SIGINT' | 'SIGTERM', number> = { SIGINT: ExitCode.INTERRUPTED, SIGTERM: 143 };

/**
 * Runs `work` with SIGINT/SIGTERM handlers that run `cleanup` (delete the debug pods) and then exit
 * 130 (SIGINT) or 143 (SIGTERM). A second signal while cleaning up exits at once. The handlers are
 * removed when `work` settles, so the default behaviour returns.
 */
export async function withInterruptCleanup<T>(
  cleanup: () => Promise<void>,
  work: () => Promise<T>,
  say: (message: string) => void,
): Promise<T> {
  let cleaning = false;
  const handler = (signal: 'SIGINT' | 'SIGTERM') => {
    if (cleaning) {
      say(`${signal} again: exiting without cleanup; run kubectl netpath cleanup to remove leftover debug pods`);
      process.exit(EXIT_ON[signal]);
    }
    cleaning = true;
    say(`${signal}: deleting debug pods`);
    cleanup()
      .catch((e: unknown) => say(`cleanup failed: ${(e as Error).message}; run kubectl netpath cleanup`))
      .finally(() => process.exit(EXIT_ON[signal]));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  try {
    const result = await work();
    if (cleaning) await new Promise<never>(() => {});
    return result;
  } catch (e) {
    // Work fails once its pods vanish under it; the exit belongs to the signal handler then.
    if (cleaning) await new Promise<never>(() => {});
    throw e;
  } finally {
    if (!cleaning) {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    }
  }
}
