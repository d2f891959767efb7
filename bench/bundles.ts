import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { synthesizePosventa, type SynthesizedFunction } from '../infra/synth';
import { median } from './results';

export interface BundleResult {
  logicalId: string;
  entry: string;
  /** index.mjs as deployed (minified), bytes. */
  bytes: number;
  /** Source map beside it, bytes (loaded only with --enable-source-maps, which the template sets). */
  sourceMapBytes: number;
  /** Median of `import()` of the bundle in a fresh Node process, ms, with the template's environment. */
  importMs: number;
  importRunsMs: number[];
  /** The same without NODE_OPTIONS=--enable-source-maps (what the source map costs at init), ms. */
  importMsWithoutSourceMaps: number;
  /** Median wall time of the whole fresh process (Node start-up + import + exit), ms; for context. */
  processMs: number;
}

/**
 * How fast this machine is today, measured by the same harness: an import of a one-line module,
 * and a whole `node` process that does nothing. Timings of the bundles vary with it from day to
 * day (2.5× between two runs here), so the results carry it beside them.
 */
export interface ImportYardstick {
  emptyModuleImportMs: number;
  emptyProcessMs: number;
}

export interface BundleMeasurements {
  bundles: BundleResult[];
  yardstick: ImportYardstick;
}

/**
 * What Lambda gives every function besides the template's variables; values are dummies, as no
 * module may call AWS while it loads.
 */
const LAMBDA_ENV: Record<string, string> = {
  AWS_REGION: 'us-east-1',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_SESSION_TOKEN: 'bench',
  AWS_LAMBDA_FUNCTION_NAME: 'bench',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  LANG: 'en_US.UTF-8',
  TZ: ':UTC',
};

/** The function's environment with CloudFormation intrinsics (`Ref`, `Fn::GetAtt`) replaced by dummies. */
function environmentOf(fn: SynthesizedFunction): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', ...LAMBDA_ENV };
  for (const [name, value] of Object.entries(fn.environment)) env[name] = typeof value === 'string' ? value : `bench-dummy-${name.toLowerCase()}`;
  return env;
}

// Runs in the fresh process: only the import is timed; exits at once (SDK sockets would keep it alive).
const IMPORT_SCRIPT = `const t0 = performance.now();
const m = await import(process.env.BENCH_BUNDLE_URL);
const ms = performance.now() - t0;
if (typeof m.handler !== 'function') { console.error('no handler export'); process.exit(3); }
process.stdout.write(JSON.stringify({ ms }));
process.exit(0);`;

function importOnce(bundleUrl: string, env: Record<string, string>): Promise<{ importMs: number; processMs: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--input-type=module', '-e', IMPORT_SCRIPT], { env: { ...env, BENCH_BUNDLE_URL: bundleUrl }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const processMs = performance.now() - started;
      if (code !== 0) return reject(new Error(`importing ${bundleUrl} failed (exit ${code}): ${err.trim()}`));
      resolve({ importMs: (JSON.parse(out) as { ms: number }).ms, processMs });
    });
  });
}

/**
 * Synthesizes the app as `cdk synth` does (bundles included, checks off) into a temporary
 * directory, then measures each function's bundle: size, and cold import in fresh processes.
 */
export async function measureBundles(runs: number, log: (line: string) => void): Promise<BundleMeasurements> {
  const outdir = mkdtempSync(join(tmpdir(), 'posventa-bench-'));
  try {
    const emptyModule = pathToFileURL(join(outdir, 'empty.mjs')).href;
    writeFileSync(new URL(emptyModule), 'export const handler = () => undefined;\n');
    const bareEnv = { PATH: process.env.PATH ?? '', ...LAMBDA_ENV };
    await importOnce(emptyModule, bareEnv); // page cache warm, as for the bundles
    const emptyRuns: Array<{ importMs: number; processMs: number }> = [];
    for (let i = 0; i < runs; i += 1) emptyRuns.push(await importOnce(emptyModule, bareEnv));
    const yardstick = { emptyModuleImportMs: median(emptyRuns.map((r) => r.importMs)), emptyProcessMs: median(emptyRuns.map((r) => r.processMs)) };
    log(`this machine: an empty module imports in ${yardstick.emptyModuleImportMs.toFixed(1)} ms, an empty node process takes ${yardstick.emptyProcessMs.toFixed(0)} ms`);

    const started = performance.now();
    const synthesis = synthesizePosventa({ outdir, checks: false, config: { whatsappPhoneNumberId: '100000000000001' } });
    log(`synthesized ${synthesis.functions.length} functions in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    const results: BundleResult[] = [];
    for (const fn of synthesis.functions) {
      const bundle = join(fn.bundleDir, `${basename(fn.handler.split('.')[0] ?? 'index')}.mjs`);
      const env = environmentOf(fn);
      const url = pathToFileURL(bundle).href;
      await importOnce(url, env); // page cache warm: measure the import, not the disk
      const { NODE_OPTIONS: _sourceMaps, ...envWithoutSourceMaps } = env;
      const samples: Array<{ importMs: number; processMs: number }> = [];
      const withoutSourceMaps: number[] = [];
      // Interleaved, so drift on the machine touches both alike.
      for (let i = 0; i < runs; i += 1) {
        samples.push(await importOnce(url, env));
        withoutSourceMaps.push((await importOnce(url, envWithoutSourceMaps)).importMs);
      }
      results.push({
        logicalId: fn.logicalId,
        entry: fn.entry,
        bytes: statSync(bundle).size,
        sourceMapBytes: statSync(`${bundle}.map`, { throwIfNoEntry: false })?.size ?? 0,
        importMs: median(samples.map((s) => s.importMs)),
        importRunsMs: samples.map((s) => Math.round(s.importMs * 10) / 10),
        importMsWithoutSourceMaps: median(withoutSourceMaps),
        processMs: median(samples.map((s) => s.processMs)),
      });
      log(`${dirname(fn.entry)}: ${results.at(-1)!.bytes} B, import ${results.at(-1)!.importMs.toFixed(1)} ms`);
    }
    return { bundles: results, yardstick };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
