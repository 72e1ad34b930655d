import { CodeVersionGate, judgeCommit } from './code-version-gate';
import { gateView } from './version-gate-store';
import { readArtifactMeta } from './metadata';

const good = 'a'.repeat(40);
const other = 'b'.repeat(40);

const at = new Date('2026-12-07T12:00:00Z');
const third = 'c'.repeat(40);
const runtimeGate = gateView({ commits: [good, other, third], window: 2, source: 'api', updatedAt: at });

describe('code-version gate', () => {
  const gate = new CodeVersionGate([good], 'Run `apt upgrade watchkeeper-agent`.');

  it('without a run-time gate: lets an allowed commit and a missing header through', async () => {
    expect(await gate.check(good)).toEqual({ ok: true, commit: good });
    expect(await gate.check(undefined)).toEqual({ ok: true });
  });

  it('without a run-time gate: 400 for a malformed commit and 412 with the remediation for one outside the allow-list', async () => {
    for (const bad of ['A'.repeat(40), 'a'.repeat(39), 'a'.repeat(41), 'g'.repeat(40), '', `${good},${good}`]) {
      expect(await gate.check(bad)).toMatchObject({ ok: false, status: 400 });
    }
    const v = await gate.check(other);
    expect(v).toMatchObject({ ok: false, status: 412, code: 'code-version-not-allowed' });
    expect(v.ok === false && v.message).toContain('apt upgrade watchkeeper-agent');
  });

  it('with an empty allow-list accepts any well-formed commit', async () => {
    expect(await new CodeVersionGate([], '').check(other)).toEqual({ ok: true, commit: other });
  });

  it('with a run-time gate: the first `window` commits pass, the first is the head', () => {
    expect(runtimeGate).toMatchObject({ head: good, allowed: [good, other] });
    expect(judgeCommit(good, runtimeGate, new Set(), '')).toEqual({ ok: true, commit: good });
    expect(judgeCommit(other, runtimeGate, new Set(), '')).toEqual({ ok: true, commit: other });
  });

  it('with a run-time gate: no commit is a 400 with remediation, one outside the window a 412 naming both commits', () => {
    expect(judgeCommit(undefined, runtimeGate, new Set(), '')).toMatchObject({ ok: false, status: 400, code: 'missing-commit', remediation: expect.stringContaining('X-Code-Commit') });
    expect(judgeCommit('nope', runtimeGate, new Set(), '')).toMatchObject({ ok: false, status: 400, code: 'bad-commit', remediation: expect.any(String) });
    expect(judgeCommit(third, runtimeGate, new Set(), 'Run the installer.')).toMatchObject({
      ok: false,
      status: 412,
      yourCommit: third,
      headCommit: good,
      window: 2,
      remediation: expect.stringContaining(good),
    });
  });

  it('a run-time gate replaces the start-up allow-list', () => {
    expect(judgeCommit(other, runtimeGate, new Set([third]), '')).toEqual({ ok: true, commit: other });
    expect(judgeCommit(third, runtimeGate, new Set([third]), '')).toMatchObject({ status: 412 });
  });

  it('reads the gate from its source on each check', async () => {
    let current: ReturnType<typeof gateView> | null = null;
    const g = new CodeVersionGate([], '', { current: async () => current });
    expect(await g.check(undefined)).toEqual({ ok: true });
    current = runtimeGate;
    expect(await g.check(undefined)).toMatchObject({ status: 400 });
  });
});

describe('artifact metadata headers', () => {
  it('keeps known values and drops unknown ones', () => {
    expect(readArtifactMeta({ 'x-artifact-kind': 'log', 'x-artifact-encoding': 'gzip' })).toEqual({ meta: { kind: 'log', encoding: 'gzip' }, dropped: {} });
    expect(readArtifactMeta({ 'x-artifact-kind': 'spaceship', 'x-artifact-encoding': 'gzip' })).toEqual({ meta: { encoding: 'gzip' }, dropped: { 'x-artifact-kind': 'spaceship' } });
    expect(readArtifactMeta({})).toEqual({ meta: {}, dropped: {} });
  });
});
