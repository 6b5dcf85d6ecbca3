// Hub id parsing: which model and data values read as Hub references, and which stay local paths.
import test from 'ava';
import { parseHubRef } from '../../core/hub/index.js';
import { hubSettings } from '../../core/hub/hub-settings.js';

test('Hub ids: owner/name[@rev], hf://, hf://datasets/…/file', (t) => {
  t.deepEqual(parseHubRef('NiuTrans/GRAM-RR-LLaMA-3.2-3B'), { type: 'model', repo: 'NiuTrans/GRAM-RR-LLaMA-3.2-3B', revision: 'main' });
  t.deepEqual(parseHubRef('Qwen/Qwen3-0.6B@v1.0'), { type: 'model', repo: 'Qwen/Qwen3-0.6B', revision: 'v1.0' });
  t.deepEqual(parseHubRef('hf://acme/m@refs/pr/2'), { type: 'model', repo: 'acme/m', revision: 'refs/pr/2' });
  t.deepEqual(parseHubRef('hf://acme/m@refs%2Fpr%2F3/f.json'), { type: 'model', repo: 'acme/m', revision: 'refs/pr/3', file: 'f.json' });
  t.deepEqual(parseHubRef('hf://models/acme/m/sub/model.bin'), { type: 'model', repo: 'acme/m', revision: 'main', file: 'sub/model.bin' });
  t.deepEqual(parseHubRef('hf://datasets/THU-KEG/RM-Bench@0123abc/total_dataset.json'),
    { type: 'dataset', repo: 'THU-KEG/RM-Bench', revision: '0123abc', file: 'total_dataset.json' });
});

test('local-looking values are not Hub ids', (t) => {
  for (const v of ['./models/base', '/abs/path', 'model', 'a/b/c', 'out/model.bin', 'runs/config.json', '../x/y', 'a/..', '.hidden/x',
    'hf://datasets/a/b/../etc', 'a/b@', 'a/b@../x', '']) {
    t.is(parseHubRef(v), undefined, v);
  }
});

test('settings from the environment: endpoint, token, offline, cache folder rules', (t) => {
  const s = hubSettings({ HF_ENDPOINT: 'https://mirror.example/', HF_TOKEN: ' hf_x ', HF_HUB_OFFLINE: 'YES', HF_HOME: '/h' });
  t.deepEqual(s, { endpoint: 'https://mirror.example', token: 'hf_x', offline: true, cacheDir: '/h/hub', refresh: false });
  t.is(hubSettings({ HF_HUB_CACHE: '/c', HF_HOME: '/h', HF_TOKEN_PATH: '/no/such/token' }).cacheDir, '/c');
  t.is(hubSettings({ HF_HOME: '/h', HF_TOKEN_PATH: '/no/such/token' }).token, undefined);
  t.is(hubSettings({ HF_HOME: '/h', HF_HUB_OFFLINE: '0' }).offline, false);
  t.is(hubSettings({ HF_HOME: '/h' }).endpoint, 'https://huggingface.co');
});
