// Cold start side by side: fresh processes, alternating, each round running `gramr --version`, a bare `node -e 0`,
// `gramr generate` of stories260K (200 greedy tokens, onnx backend) and a transformers.js script generating the same
// from gramr's ONNX export of the same model (bench/tjs-generate.ts). Checks that both print the same text, then
// reports the best and median wall time of each:
// `node dist/bench/cold-start.js [--rounds 5] [--tokens 200] [--json]` (writes the export once under .tmp/cold-start).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const STORIES = path.join(root, 'test/fixtures/data/stories260K/stories260K.bin');
const PROMPT = 'Once upon a time';

/** Wall seconds and stdout of one process. */
function timed(args: string[]): { s: number; out: string } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', maxBuffer: 1 << 24 });
  const s = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return { s, out: r.stdout };
}

const stat = (xs: number[]): { best: number; median: number } => {
  const s = [...xs].sort((a, b) => a - b);
  return { best: s[0]!, median: s[Math.floor(s.length / 2)]! };
};

async function main(argv: string[]): Promise<void> {
  const arg = (name: string, d: string): string => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1]! : d; };
  const rounds = Number(arg('rounds', '5')), tokens = arg('tokens', '200');
  const cli = path.join(root, 'dist/cli/main.js');
  const exported = path.join(root, '.tmp/cold-start/stories260K');
  if (!existsSync(path.join(exported, 'config.json'))) execFileSync(process.execPath, [cli, 'export-onnx', '--model', STORIES, '--out', exported], { cwd: root, stdio: 'ignore' });
  const runs: Record<string, string[]> = {
    'gramr --version': [cli, '--version'],
    'node -e 0': ['-e', '0'],
    'gramr generate': [cli, 'generate', '--model', STORIES, '--prompt', PROMPT, '--max-tokens', tokens, '--backend', 'onnx'],
    'transformers.js': [path.join(here, 'tjs-generate.js'), exported, PROMPT, tokens],
  };
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(runs).map((k) => [k, []]));
  const load = loadavg()[0]!;
  for (let r = 0; r < rounds; r++) {
    const texts: Record<string, string> = {};
    for (const [k, args] of Object.entries(runs)) { const x = timed(args); times[k]!.push(x.s); texts[k] = x.out; }
    if (texts['gramr generate'] !== texts['transformers.js']) throw new Error(`the two generations differ:\n${texts['gramr generate']}\n---\n${texts['transformers.js']}`);
  }
  const result = { rounds, tokens: Number(tokens), load_average_before: load, load_average_after: loadavg()[0]!, seconds: Object.fromEntries(Object.entries(times).map(([k, v]) => [k, { ...stat(v), all: v }])) };
  if (argv.includes('--json')) process.stdout.write(JSON.stringify(result) + '\n');
  else for (const [k, v] of Object.entries(result.seconds)) process.stdout.write(`${k.padEnd(16)} best ${v.best.toFixed(3)} s, median ${v.median.toFixed(3)} s (${v.all.map((x) => x.toFixed(2)).join(' ')})\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).catch((e: unknown) => { console.error(e instanceof Error ? e.message : e); process.exitCode = 1; });
}
