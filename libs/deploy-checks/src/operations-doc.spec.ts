import * as fs from 'node:fs';
import { docsGenerator, loadAppConfigs } from './app-configs';
import { fromRoot } from './paths';

// docs/operations.md's configuration reference and topic table are generated from the code; this
// fails when someone changes a config schema or a topic without regenerating the document.
describe('docs/operations.md', () => {
  const gen = docsGenerator();
  const text = fs.readFileSync(gen.docPath, 'utf8');

  it('is current: regenerating it from the config schemas and the topic registry changes nothing', () => {
    const next = gen.renderDoc(text);
    if (next !== text) {
      throw new Error('docs/operations.md is stale: run `npx tsc -b && node tools/gen-config-docs.cjs` and commit it');
    }
  });

  it('documents every variable of every service with its default or as required', () => {
    for (const { app, vars } of loadAppConfigs()) {
      const section = text.slice(text.indexOf(`### ${app}\n`), text.indexOf('\n### ', text.indexOf(`### ${app}\n`) + 1));
      for (const v of vars) {
        const row = section.split('\n').find((l) => l.startsWith(`| \`${v.name}\``));
        expect({ app, name: v.name, row: !!row }).toEqual({ app, name: v.name, row: true });
        if (v.required) expect(row).toContain('**required**');
        else if (v.default !== undefined && v.default !== '') expect(row).toContain(`\`${v.default.replace(/\|/g, '\\|')}\``);
      }
    }
  });

  it('the generator replaces only the marked sections and fails loudly without markers', () => {
    expect(() => gen.renderDoc('# no markers here\n')).toThrow(/no "<!-- BEGIN GENERATED: config-reference/);
    const marked = text.replace(/(<!-- BEGIN GENERATED: topics[^\n]*-->\n)[\s\S]*?(<!-- END GENERATED: topics -->)/, '$1stale\n$2');
    expect(marked).not.toBe(text);
    expect(gen.renderDoc(marked)).toBe(text);
  });

  it('names the kcat commands that the kcat test runs', () => {
    expect(text).toMatch(/<!-- kcat:peek[^\n]*-->\n```sh\n[\s\S]*?kcat [\s\S]*?```/);
    expect(text).toMatch(/<!-- kcat:group[^\n]*-->\n```sh\n[\s\S]*?kcat [\s\S]*?```/);
    expect(fs.existsSync(fromRoot('libs', 'deploy-checks', 'src', 'kcat.int.spec.ts'))).toBe(true);
  });
});
