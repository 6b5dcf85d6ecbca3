// `gramr validate FILE`: load plugins and check the whole pipeline file without running its stages. Loading a
// plugin imports it, which runs its top-level code with the user's privileges (docs/writing-a-plugin.md).
import { loadPipeline } from '../../pipeline/load-pipeline.js';
import { expectPositionals, type Command } from '../command.js';

export const validateCommand: Command = {
  name: 'validate',
  summary: 'Check a pipeline file (keys, kinds, options, artifact flow, paths) without running its stages.',
  notes: 'Validating imports the plugins the file names, so their top-level code runs with your privileges, as it\n' +
    'would under `gramr run`: validate only pipeline files and plugins you trust (docs/writing-a-plugin.md,\n' +
    '"Plugins are code").',
  usage: 'gramr validate FILE [--set key=value]... [--json]',
  help: { set: 'override a config value (repeatable)', json: 'print the validated plan as JSON' },
  options: { set: { type: 'string', multiple: true }, json: { type: 'boolean' } },
  async run(values, positionals) {
    expectPositionals(this, positionals, ['FILE']);
    const p = await loadPipeline(positionals[0], (values.set as string[] | undefined) ?? []);
    const plan = p.stages.map((s) => ({ id: s.id, stage: s.kind, inputs: s.inputs, outputs: s.outputs.map((o) => o.name) }));
    if (values.json === true) process.stdout.write(JSON.stringify({ valid: true, name: p.name, stages: plan }, undefined, 2) + '\n');
    else {
      process.stdout.write(`${positionals[0]}: valid (${p.stages.length} stages, ${p.datasets.size} datasets, ${p.models.size} models)\n`);
      for (const s of plan) process.stdout.write(`  ${s.id}: ${s.stage}  ${s.inputs.join(', ') || '-'} -> ${s.outputs.join(', ') || '-'}\n`);
    }
    return 0;
  },
};
