# Shared by the PyTorch peers (torch_scale.py, torch_lora.py): a safetensors folder's config and its tensors mapped
# from the file (numpy memmap; Debian 12 has no safetensors package). F32 tensors are read in place; BF16 ones are
# widened to F32 (a copy).
import json, os, struct

import numpy as np
import torch


def load(folder):
    cfg = json.load(open(os.path.join(folder, 'config.json')))
    path = os.path.join(folder, 'model.safetensors')
    with open(path, 'rb') as f:
        n = struct.unpack('<Q', f.read(8))[0]
        header = json.loads(f.read(n))
    w = {}
    for name, e in header.items():
        if name == '__metadata__':
            continue
        b, _ = e['data_offsets']
        if e['dtype'] == 'F32':
            arr = np.memmap(path, dtype=np.float32, mode='r', offset=8 + n + b, shape=tuple(e['shape']))
            w[name] = torch.from_numpy(np.asarray(arr))
        else:  # BF16 -> F32 (a copy)
            arr = np.memmap(path, dtype=np.uint16, mode='r', offset=8 + n + b, shape=tuple(e['shape']))
            w[name] = torch.from_numpy(arr.astype(np.int32) << 16).view(torch.float32)
    return cfg, w
