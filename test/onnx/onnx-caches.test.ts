// The ONNX backend's two bookkeeping pieces: EmbeddedConstants (a session goes once no buffer embedded in it is
// alive) and LoweredCache (oldest lowered models dropped beyond 256 models, the newest always kept).
import test from 'ava';
import { EmbeddedConstants } from '../../backends/onnx/embedded-constants.js';
import { LoweredCache } from '../../backends/onnx/lowered-cache.js';
import type { LoweredProgram } from '../../backends/onnx/lower-program.js';

const model = (bytes: number): LoweredProgram => ({ bytes: new Uint8Array(bytes) } as unknown as LoweredProgram);

test('a key is orphaned only when the last buffer embedded in it is released', (t) => {
  const e = new EmbeddedConstants();
  e.hold('k1', 1);
  e.hold('k1', 2);
  e.hold('k2', 2);
  t.deepEqual(e.release(1), []);
  t.deepEqual(e.release(2), ['k1', 'k2']);
  t.deepEqual(e.release(2), [], 'a released id holds nothing');
});

test('the lowered cache keeps the newest 256 models and deletes only the model it is asked to', (t) => {
  const c = new LoweredCache();
  const first = model(8);
  c.set('m0', first);
  for (let i = 1; i <= 256; i++) c.set(`m${i}`, model(8));
  t.is(c.get('m0'), undefined, 'the oldest went at 257 models');
  t.truthy(c.get('m1'));
  t.truthy(c.get('m256'));
  const other = model(8);
  c.delete('m1', other);
  t.truthy(c.get('m1'), 'a different model under the key is kept');
  c.delete('m1');
  t.is(c.get('m1'), undefined);
});
