import { CodeVersionGate } from './code-version-gate';
import { readArtifactMeta } from './metadata';

const good = 'a'.repeat(40);
const other = 'b'.repeat(40);

describe('code-version gate', () => {
  const gate = new CodeVersionGate([good], 'Run `apt upgrade watchkeeper-agent`.');

  it('lets an allowed commit and a missing header through', () => {
    expect(gate.check(good)).toEqual({ ok: true, commit: good });
    expect(gate.check(undefined)).toEqual({ ok: true });
  });

  it('answers 400 for a malformed commit and 412 with the remediation for an unknown one', () => {
    for (const bad of ['A'.repeat(40), 'a'.repeat(39), 'a'.repeat(41), 'g'.repeat(40), '', `${good},${good}`]) {
      expect(gate.check(bad)).toMatchObject({ ok: false, status: 400 });
    }
    const v = gate.check(other);
    expect(v).toMatchObject({ ok: false, status: 412, code: 'code-version-not-allowed' });
    expect(v.ok === false && v.message).toContain('apt upgrade watchkeeper-agent');
  });

  it('with an empty allow-list accepts any well-formed commit', () => {
    expect(new CodeVersionGate([], '').check(other)).toEqual({ ok: true, commit: other });
  });
});

describe('artifact metadata headers', () => {
  it('keeps known values and drops unknown ones', () => {
    expect(readArtifactMeta({ 'x-artifact-kind': 'log', 'x-artifact-encoding': 'gzip' })).toEqual({ meta: { kind: 'log', encoding: 'gzip' }, dropped: {} });
    expect(readArtifactMeta({ 'x-artifact-kind': 'spaceship', 'x-artifact-encoding': 'gzip' })).toEqual({ meta: { encoding: 'gzip' }, dropped: { 'x-artifact-kind': 'spaceship' } });
    expect(readArtifactMeta({})).toEqual({ meta: {}, dropped: {} });
  });
});
