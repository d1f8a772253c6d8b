// Run by spinner.test.ts in a pseudo-terminal: writes its pid to the file named by argv[2], shows
// the progress spinner (then touches PIDFILE.spinning), then waits forever, as a run waiting on a slow node does, until a signal.
import { writeFileSync } from 'node:fs';
import { stderrProgressReady } from '../../../src/cluster/live/progress.ts';

// The pid first: the test must be able to end this process even if the spinner hangs it.
writeFileSync(process.argv[2] ?? '', String(process.pid));
const progress = await stderrProgressReady(false);
progress.status('reading node-a: waiting for the debug pod');
writeFileSync(`${process.argv[2]}.spinning`, '');
setInterval(() => {}, 1000);
