// `gramr plugins`: every extension point, its kinds, which plugin provides each, and each kind's options
// (from the same zod schemas the validator uses).
import { z } from 'zod';
import { createGramrContainer } from '../../di/container.js';
import { extensionPoints } from '../../di/identifiers.js';
import type { Command } from '../command.js';

export const pluginsCommand: Command = {
  name: 'plugins',
  summary: 'List extension points, their kinds and each kind\'s options.',
  usage: 'gramr plugins [--plugin SPEC]... [--json]',
  help: { plugin: 'also load an outside plugin (path or npm name)', json: 'print as JSON (options as JSON Schema)' },
  options: { plugin: { type: 'string', multiple: true }, json: { type: 'boolean' } },
  async run(values) {
    const extra = ((values.plugin as string[] | undefined) ?? []).map((spec) => ({ spec }));
    const c = await createGramrContainer(extra);
    const out = extensionPoints.map((point) => ({
      point,
      kinds: c.contributions.filter((k) => k.point === point).sort((a, b) => a.kind.localeCompare(b.kind)).map((k) => ({
        kind: k.kind, plugin: k.plugin, description: k.description, options: z.toJSONSchema(k.schema, { io: 'input', unrepresentable: 'any' }),
      })),
    }));
    if (values.json === true) {
      process.stdout.write(JSON.stringify(out, undefined, 2) + '\n');
      return 0;
    }
    for (const p of out) {
      process.stdout.write(`${p.point}${p.kinds.length ? '' : ' (none)'}\n`);
      for (const k of p.kinds) {
        process.stdout.write(`  ${k.kind.padEnd(22)} ${k.description}  [${k.plugin}]\n`);
        const props = (k.options as { properties?: Record<string, { description?: string; type?: unknown }> }).properties ?? {};
        const required = new Set((k.options as { required?: string[] }).required ?? []);
        for (const [name, s] of Object.entries(props)) {
          process.stdout.write(`      ${(name + (required.has(name) ? '*' : '')).padEnd(20)} ${s.description ?? ''}\n`);
        }
      }
    }
    return 0;
  },
};
