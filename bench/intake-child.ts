// Entry of the pinned child process `npm run bench` starts for the in-process webhook benchmark:
// measures, then writes the results as one JSON line on stdout.
import { measureIntake } from './intake';

const [warmupMs = '1000', durationMs = '3000'] = process.argv.slice(2);
process.stdout.write(`${JSON.stringify(measureIntake({ warmupMs: Number(warmupMs), durationMs: Number(durationMs) }))}\n`);
