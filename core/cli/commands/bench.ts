// `gramr bench <what>`: benchmarks on a chosen backend (resolved through the plugin container, like pipelines).
// Each bench checks its result against the reference before timing (see bench/README.md).
import { ConfigError } from '../../errors.js';
import { createGramrContainer } from '../../di/container.js';
import { chooseBackend } from '../../pipeline/backend-choice.js';
import { benchMatmul, writeMatmulReport } from '../../../bench/matmul.js';
import type { Command } from '../command.js';

const benches = ['matmul'] as const;

export const benchCommand: Command = {
  name: 'bench',
  summary: 'Benchmarks (checked against the reference first): matmul.',
  usage: 'gramr bench matmul [--backend NAME] [--size N] [--repeats N] [--out DIR] [--json]',
  help: { backend: 'backend to measure (default cpu)', size: 'matrix size n of an n x n x n product (default 512)',
    repeats: 'timed runs (default 5)', out: 'also write JSON + markdown results into DIR', json: 'print the result as JSON' },
  options: { backend: { type: 'string' }, size: { type: 'string' }, repeats: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' } },
  async run(values, positionals) {
    const what = positionals[0];
    if (!benches.includes(what as (typeof benches)[number]) || positionals.length !== 1) {
      throw new ConfigError(`expected one of: ${benches.join(', ')}\nusage: ${this.usage}`, 'gramr bench');
    }
    const int = (name: string, dflt: number): number => {
      const v = values[name] === undefined ? dflt : Number(values[name]);
      if (!Number.isInteger(v) || v <= 0) throw new ConfigError(`--${name} must be a positive integer, got "${String(values[name])}"`, 'gramr bench');
      return v;
    };
    const container = await createGramrContainer();
    const { backend, chain } = await chooseBackend(container, [String(values.backend ?? 'cpu')]);
    const result = await benchMatmul({ backend, size: int('size', 512), repeats: int('repeats', 5) });
    if (typeof values.out === 'string') await writeMatmulReport([result], values.out);
    if (values.json === true) process.stdout.write(JSON.stringify(result) + '\n');
    else process.stdout.write(`matmul ${result.size}^3 on ${chain}: ${result.gflops.toFixed(2)} GFLOPS median, ${result.bestGflops.toFixed(2)} best (max |err| ${result.maxAbsError.toExponential(2)})\n`);
    backend.dispose();
    return 0;
  },
};
