/** kubectl-netpath with the toy dataplane registered: the one line a new dataplane needs, then the CLI. */
import { main } from '../../../../src/cli.ts';
import { registerDataplane } from '../../../../src/dataplane/registry.ts';
import { toyModule } from './index.ts';

registerDataplane(toyModule);
process.exitCode = await main(process.argv);
