/**
 * `resources.mem` and `resources.time`: checked where the pipeline is written, and turned into sbatch's --mem and
 * --time (whole minutes, rounded up) next to --cpus-per-task and --gres.
 */
import { describe, expect, it } from 'vitest';
import { resourceArgs, timeMinutes } from '../../src/engine/executors/slurm.js';
import { diagnosticsText, load, tempDir, writePipeline } from '../engine/fixtures/helpers.js';

const pipeline = (resources: string): string => `name: r
nodes:
  a:
    kind: exec
    params: { argv: ['true'] }
    outputs: [o]
    resources: ${resources}
`;

describe('resources: mem and time', () => {
  it('reach the node instance, with the slot defaults', () => {
    const p = load(writePipeline(tempDir(), pipeline("{ gpu: 1, mem: 4G, time: '1h30m' }")));
    expect(p.instances[0]?.resources).toEqual({ cpu: 1, gpu: 1, mem: '4G', time: '1h30m' });
  });

  it('become sbatch arguments', () => {
    expect(resourceArgs({ cpu: 2, gpu: 1, mem: '4G', time: '1h30m' })).toEqual(['--cpus-per-task=2', '--gres=gpu:1', '--mem=4G', '--time=90']);
    expect(resourceArgs({ cpu: 1, gpu: 0 })).toEqual(['--cpus-per-task=1']);
    expect([timeMinutes(45), timeMinutes('2h'), timeMinutes('1d12h'), timeMinutes('90s'), timeMinutes('30s')]).toEqual([45, 120, 2160, 2, 1]);
  });

  it('a malformed memory size or duration is a located error', () => {
    const text = (r: string): string => diagnosticsText(writePipeline(tempDir(), pipeline(r)));
    expect(text('{ mem: 4GB }')).toContain("p.yaml:7:23 error: field 'nodes.a.resources.mem' must match pattern");
    expect(text("{ time: '2 hours' }")).toContain("p.yaml:7:24 error: field 'nodes.a.resources.time' must match pattern");
    expect(text('{ time: 0 }')).toContain("p.yaml:7:24 error: field 'nodes.a.resources.time' must be >= 1");
    expect(text("{ mem: 512M, time: '2h' }")).toBe('');
  });
});
