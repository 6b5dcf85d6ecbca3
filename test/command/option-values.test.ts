// The one option parser of the commands: integers in a range, numbers, required strings and choices; each bad value
// is a ConfigError naming the option, what is valid, what was given and the command.
import test from 'ava';
import { enumOption, intOption, numberOption, requiredString } from '../../core/command/option-values.js';
import { ConfigError } from '../../core/errors.js';

test('intOption: absent is undefined; an integer in range is the number; anything else names the option and the range', (t) => {
  t.is(intOption({}, 'jobs', 'gramr run', 1), undefined);
  t.is(intOption({ jobs: '3' }, 'jobs', 'gramr run', 1), 3);
  t.is(intOption({ port: '0' }, 'port', 'gramr view', 0, 65535), 0);
  t.is(intOption({ port: '65535' }, 'port', 'gramr view', 0, 65535), 65535);
  for (const bad of ['0', '1.5', 'two', '', ' ', '1e400']) {
    t.throws(() => intOption({ jobs: bad }, 'jobs', 'gramr run', 1), { instanceOf: ConfigError, message: `gramr run: --jobs must be an integer >= 1, got "${bad}"` });
  }
  t.throws(() => intOption({ port: '65536' }, 'port', 'gramr view', 0, 65535), { message: /--port must be an integer from 0 to 65535, got "65536"/ });
  t.throws(() => intOption({ port: true }, 'port', 'gramr view', 0), { message: /--port must be an integer >= 0, got "true"/ });
});

test('numberOption, requiredString and enumOption say what is valid', (t) => {
  t.is(numberOption({ temperature: '0.7' }, 'temperature', 'w', (x) => x >= 0, 'a number >= 0'), 0.7);
  t.throws(() => numberOption({ temperature: '-1' }, 'temperature', 'w', (x) => x >= 0, 'a number >= 0'), { message: /--temperature must be a number >= 0, got "-1"/ });
  t.is(requiredString({ model: 'm' }, 'model', 'w'), 'm');
  t.throws(() => requiredString({ model: '' }, 'model', 'w'), { message: /--model is required/ });
  t.is(enumOption({}, 'swap', 'w', ['none', 'both'] as const, 'none'), 'none');
  t.throws(() => enumOption({ swap: 'all' }, 'swap', 'w', ['none', 'both'] as const, 'none'), { message: /--swap must be one of none, both, got "all"/ });
});
