// Commands contributed by plugins (contributeCommand): serve and work come from the built-in server and queue
// plugins; outside plugins add theirs with `gramr --plugin SPEC`; a name taken twice, or a built-in command's name,
// is a usage error naming the plugins; a command's module loads only when the command runs, and --version loads no plugin.
import test from 'ava';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { builtinPlugins } from '../../cli/builtin-plugins.js';
import { cli, repoRoot, tempDir, writeIn } from '../pipeline/helpers.js';

const gramr = pathToFileURL(path.join(repoRoot, 'dist/core/index.js')).href;

/** An outside plugin contributing `name`; its command module is a separate file that marks when it is imported. */
function commandPlugin(dir: string, file: string, name: string): void {
  writeIn(dir, `${file}-command.mjs`, `import { writeFileSync } from 'node:fs';
writeFileSync(${JSON.stringify(path.join(dir, `${file}-loaded`))}, 'yes');
export const command = { name: ${JSON.stringify(name)}, summary: 'says hi', usage: 'gramr ${name} [--to NAME]', help: { to: 'whom' },
  options: { to: { type: 'string' } },
  async run(values, positionals, context) { process.stdout.write('hi ' + (values.to ?? 'all') + ' from ' + context.plugins.length + ' plugins, the last ' + context.plugins.at(-1).spec + '\\n'); return 0; } };
`);
  writeIn(dir, `${file}.mjs`, `import { ContainerModule, contributeCommand } from '${gramr}';
export default new ContainerModule((options) => {
  contributeCommand(options, ${JSON.stringify(file)}, { name: ${JSON.stringify(name)}, summary: 'says hi', load: async () => (await import('./${file}-command.mjs')).command });
});
`);
}

test('serve and work are contributed by the server and queue plugins and keep their usage', (t) => {
  const serve = cli(['serve'], repoRoot);
  t.is(serve.code, 2);
  t.regex(serve.stderr, /^gramr serve: --model is required\nusage: gramr serve --model M/);
  const work = cli(['work', '--help'], repoRoot);
  t.is(work.code, 0);
  t.regex(work.stdout, /^usage: gramr work --redis URL/);
});

test('an outside command is listed by its descriptor, loads only when run, and gets the application\'s plugins', (t) => {
  const dir = tempDir();
  commandPlugin(dir, 'hello', 'hello');
  const help = cli(['--plugin', './hello.mjs', '--help'], dir);
  t.is(help.code, 0, help.stderr);
  t.regex(help.stdout, /\n {2}hello +says hi\n/);
  t.false(existsSync(path.join(dir, 'hello-loaded')), 'listing the commands imported the command module');
  const version = cli(['--plugin', './missing.mjs', '--version'], dir);
  t.is(version.code, 0, 'gramr --version loaded a plugin');
  const run = cli(['--plugin', './hello.mjs', 'hello', '--to', 'you'], dir);
  t.is(run.code, 0, run.stderr);
  t.is(run.stdout, `hi you from ${builtinPlugins.length + 1} plugins, the last ./hello.mjs\n`);
  t.true(existsSync(path.join(dir, 'hello-loaded')));
  const listed = cli(['plugins', '--plugin', './hello.mjs'], dir);
  t.regex(listed.stdout, /\nCommands\n {2}work +Run a distributed worker.*\[queue\]\n {2}serve +Serve a reward model.*\[server\]\n {2}hello +says hi {2}\[hello\]\n$/);
});

test('a command name given twice, or a built-in one, is exit 2 naming the plugins', (t) => {
  const dir = tempDir();
  commandPlugin(dir, 'one', 'greet');
  commandPlugin(dir, 'two', 'greet');
  commandPlugin(dir, 'clash', 'run');
  const twice = cli(['--plugin', './one.mjs', '--plugin', './two.mjs', 'greet'], dir);
  t.is(twice.code, 2);
  t.regex(twice.stderr, /command "greet" is provided twice: by plugin "one" and by plugin "two"/);
  const builtin = cli(['--plugin', './clash.mjs', '--help'], dir);
  t.is(builtin.code, 2);
  t.regex(builtin.stderr, /plugin "clash" contributes command "run", which is a built-in command/);
  const missing = cli(['--plugin'], dir);
  t.is(missing.code, 2);
  t.regex(missing.stderr, /--plugin needs a path or npm name/);
});
