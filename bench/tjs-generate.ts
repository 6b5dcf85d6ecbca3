// The transformers.js side of bench/cold-start.ts: one cold process that loads a gramr export of stories260K from a
// local folder (offline) with @huggingface/transformers and prints a greedy continuation, as `gramr generate` does:
// `node dist/bench/tjs-generate.js DIR "Once upon a time" 200`.
import path from 'node:path';
import { AutoModelForCausalLM, AutoTokenizer, env, type Tensor } from '@huggingface/transformers';

const [dir, prompt, tokens] = process.argv.slice(2) as [string, string, string];
env.allowRemoteModels = false;
env.allowLocalModels = true;
env.useFSCache = false;
env.localModelPath = path.dirname(path.resolve(dir));
const name = path.basename(dir);
const tok = await AutoTokenizer.from_pretrained(name);
const model = await AutoModelForCausalLM.from_pretrained(name, { dtype: 'fp32', device: 'cpu' });
const inputs = tok(prompt) as { input_ids: Tensor; attention_mask: Tensor };
const out = await model.generate({ ...inputs, max_new_tokens: Number(tokens), do_sample: false }) as Tensor;
const ids = (out.tolist() as bigint[][])[0]!.map(Number);
process.stdout.write(tok.decode(ids, { skip_special_tokens: true }) + '\n');
await model.dispose();
