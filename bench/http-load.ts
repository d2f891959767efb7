// Entry of the load-generator process the HTTP benchmark starts, so the load does not share an
// event loop with the local stack it measures. Argument: one JSON object (LoadOptions). Writes
// the LoadResult as one JSON line on stdout.
import { runPacedLoad, type LoadOptions } from './paced-load';

const result = await runPacedLoad(JSON.parse(process.argv[2] ?? '{}') as LoadOptions);
process.stdout.write(`${JSON.stringify(result)}\n`);
