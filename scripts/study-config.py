#!/usr/bin/env python3
# Writes configs/gram-r2-study.yaml from configs/gram-r2-demo.yaml: the same datasets and stages plus the ablation the
# demo has no time for (self-training with the paper's structure-only proof rules), its evaluation, report row, round
# table and claim. Run from the repo root after changing the demo: python3 scripts/study-config.py
import re

demo = open('configs/gram-r2-demo.yaml').read()
head = '''# The multi-seed study of the GRAM-R² demo: configs/gram-r2-demo.yaml plus the ablation the demo has no time for
# (self-training with the paper's structure-only proof rules, the calculator content rule off), run once per seed:
#   npx gramr study configs/gram-r2-study.yaml --seeds 1,2,3
# It writes runs/gram-r2-study/seed-<n>/report.md per seed and runs/gram-r2-study/study.md across seeds
# (docs/reading-the-report.md). Written by scripts/study-config.py from the demo: edit the demo, then rerun it.
'''
body = demo[demo.index('name: gram-r2-demo'):].replace('name: gram-r2-demo', 'name: gram-r2-study', 1)
m = re.search(r'  - stage: self-train\n(    .*\n)+', body)
ablation = m.group(0).replace('  - stage: self-train\n', '  - stage: self-train\n    id: self-train-structure-only\n', 1)
ablation = ablation.replace('to: grm-self-trained\n', 'to: grm-self-trained-structure-only\n').replace('content: columns', 'content: none')
ablation = '  # Ablation: the same self-training with the structure-only rules (no calculator check on the prover\'s proofs).\n' + ablation
ablation += '  - { stage: evaluate, id: eval-self-trained-structure-only, model: grm-self-trained-structure-only, from: test, to: eval-self-trained-structure-only, batchSize: 64, judge: *judge, evaluator: { kind: pairwise, position: both } }\n'
body = body.replace('  - stage: report\n', ablation + '  - stage: report\n', 1)
row = '          - { label: GRAM-R² after 3 self-training rounds, from: eval-self-trained }\n'
body = body.replace(row, row + '          - { label: "Ablation: self-training with structure-only proof rules", from: eval-self-trained-structure-only }\n', 1)
inc = '      - { title: Self-training rounds, from: grm-self-trained-report }\n'
body = body.replace(inc, inc + '      - { title: "Self-training rounds, structure-only rules (ablation)", from: grm-self-trained-structure-only-report }\n', 1)
claim = re.search(r'      - \{ claim: "Self-training beats its control.*\n', body).group(0)
body = body.replace(claim, claim + '      - { claim: "The calculator content rule helps self-training (vs the structure-only rules)", better: GRAM-R² after 3 self-training rounds, than: "Ablation: self-training with structure-only proof rules" }\n', 1)
assert body.count('structure-only') >= 6, 'the demo changed shape: update scripts/study-config.py'
open('configs/gram-r2-study.yaml', 'w').write(head + body)
