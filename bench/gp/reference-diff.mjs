// Differential check of scoreGp (mode 'paper') against the paper's own reward code.
// The reference file is NOT part of pipe: pass its path (debunk_sft/utils/reward_score/gp_l.py of
// XiaofengLin7/debunking-sft-generalization); python3 runs it with its one package import stubbed.
//   npm run build && node bench/gp/reference-diff.mjs /path/to/gp_l.py [cases=20000]
import { execFileSync } from 'node:child_process';
import { formatGpAnswer, scoreGp, solveGp } from '../../dist/nodes/gp/api.js';
import { Rng } from '../../dist/util/rng.js';

const [refPath, n = '20000'] = process.argv.slice(2);
if (!refPath) {
  console.error('usage: node bench/gp/reference-diff.mjs /path/to/gp_l.py [cases]');
  process.exit(2);
}

const DRIVER = `
import sys, types, json, importlib.util
for name in ['debunk_sft', 'debunk_sft.utils', 'debunk_sft.utils.dataset', 'debunk_sft.utils.dataset.gp_l',
             'debunk_sft.utils.dataset.gp_l.create_test_dataset']:
    sys.modules[name] = types.ModuleType(name)
sys.modules['debunk_sft.utils.dataset.gp_l.create_test_dataset'].solve_game = lambda digits, target: []
spec = importlib.util.spec_from_file_location('gp_l_ref', sys.argv[1])
ref = importlib.util.module_from_spec(spec); spec.loader.exec_module(ref)
for line in sys.stdin:
    c = json.loads(line)
    try: r = ref.score_gp_l_wo_sol(c['output'], {'cards': c['cards'], 'display_cards': c['values'], 'target': c['target']})
    except Exception as e: r = 'crash: ' + type(e).__name__
    print(json.dumps(r))
`;

const rng = new Rng(12345);
const junk = ['+', '-', '*', '/', '(', ')', ' ', '=', '0', '1', '2', '24', '.', '−', '١', '"', '\n', '\t', 'x', '00', '07', '{', '}', ':'];
const cases = [];
for (let i = 0; i < Number(n); i++) {
  const values = Array.from({ length: rng.range(4, 5) }, () => rng.range(1, 13));
  const target = 24;
  const sol = solveGp(values, target);
  let f;
  if (sol && rng.int(5) < 3) {
    f = sol;
    for (let m = rng.int(3); m > 0; m--) {
      const p = rng.int(f.length + 1);
      const c = rng.choice([...junk, ...values.map(String)]);
      const op = rng.int(3);
      f = op === 0 ? f.slice(0, p) + c + f.slice(p) : op === 1 ? f.slice(0, p) + f.slice(p + 1) : f.slice(0, p) + c + f.slice(p + 1);
    }
  } else {
    f = Array.from({ length: rng.int(12) }, () => rng.choice([...junk, ...values.map(String)])).join('');
  }
  const wrap = rng.int(4);
  const output =
    wrap === 0
      ? JSON.stringify({ formula: f })
      : wrap === 1
        ? `text "formula": "${f}" end`
        : wrap === 2
          ? formatGpAnswer({ display_cards: values.map(String), values }, f, 'paper')
          : f;
  cases.push({ output, cards: values.map(String), values, target });
}
const ref = execFileSync('python3', ['-c', DRIVER, refPath], {
  input: cases.map((c) => JSON.stringify(c)).join('\n') + '\n',
  maxBuffer: 1 << 28,
})
  .toString()
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l));
const counts = {};
const mismatches = [];
cases.forEach((c, i) => {
  const ours = scoreGp(c.output, c, { mode: 'paper' }).reward;
  counts[ours] = (counts[ours] ?? 0) + 1;
  if (ours !== ref[i]) mismatches.push({ output: c.output, values: c.values, ours, reference: ref[i] });
});
console.log(`cases ${cases.length}, pipe rewards ${JSON.stringify(counts)}, mismatches ${mismatches.length}`);
for (const m of mismatches.slice(0, 10)) console.log(JSON.stringify(m));
process.exitCode = mismatches.length === 0 ? 0 : 1;
