// `gramr validate FILE`: load plugins and check the whole pipeline file without running anything; `--graph` prints
// the stage graph (text, Mermaid or DOT). Loading runs the plugins' top-level code, with the user's privileges.
import { ConfigError } from '../../core/errors.js';
import { loadAppPipeline } from '../app.js';
import { buildGraph, GRAPH_FORMATS, renderGraph, type GraphFormat } from '../../core/pipeline/pipeline-graph.js';
import { expectPositionals, type Command } from '../../core/command/command.js';

export const validateCommand: Command = {
  name: 'validate',
  summary: 'Check a pipeline file (keys, kinds, options, artifact flow, paths) without running a stage; --graph shows the stage graph.',
  notes: 'Validating imports the plugins the file names, so their top-level code runs with your privileges, as it\n' +
    'would under `gramr run`: validate only pipeline files and plugins you trust (docs/writing-a-plugin.md,\n' +
    '"Plugins are code").',
  usage: 'gramr validate FILE [--set key=value]... [--graph [text|mermaid|dot]] [--json]',
  help: { set: 'override a config value (repeatable)', json: 'print the validated plan as JSON (with each stage\'s dependencies)',
    graph: 'print the stage graph: text (default), mermaid (for Markdown docs) or dot (Graphviz)' },
  options: { set: { type: 'string', multiple: true }, json: { type: 'boolean' }, graph: { type: 'string' } },
  optionalValues: { graph: { default: 'text', choices: GRAPH_FORMATS } },
  async run(values, positionals) {
    expectPositionals(this, positionals, ['FILE']);
    const graphFormat = values.graph as string | undefined;
    if (graphFormat !== undefined && !(GRAPH_FORMATS as readonly string[]).includes(graphFormat)) {
      throw new ConfigError(`--graph takes ${GRAPH_FORMATS.join(', ')}, not "${graphFormat}"`, 'gramr validate');
    }
    const p = await loadAppPipeline(positionals[0], (values.set as string[] | undefined) ?? []);
    const graph = buildGraph(p.stages);
    if (graphFormat !== undefined) {
      process.stdout.write(renderGraph(graph, graphFormat as GraphFormat) + '\n');
      return 0;
    }
    const plan = p.stages.map((s, i) => ({ id: s.id, stage: s.kind, inputs: s.inputs, outputs: s.outputs.map((o) => o.name), after: graph[i].deps }));
    if (values.json === true) process.stdout.write(JSON.stringify({ valid: true, name: p.name, stages: plan }, undefined, 2) + '\n');
    else {
      process.stdout.write(`${positionals[0]}: valid (${p.stages.length} stages, ${p.datasets.size} datasets, ${p.models.size} models)\n`);
      for (const s of plan) process.stdout.write(`  ${s.id}: ${s.stage}  ${s.inputs.join(', ') || '-'} -> ${s.outputs.join(', ') || '-'}\n`);
    }
    return 0;
  },
};
