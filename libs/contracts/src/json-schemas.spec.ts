import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderJsonSchemas } from './json-schemas';

describe('committed JSON Schemas', () => {
  const dir = path.join(__dirname, '../schemas');

  it('match the zod contracts (run `npm run contracts:schemas` when this fails)', () => {
    const expected = renderJsonSchemas();
    const committed = fs.readdirSync(dir).sort();
    expect(committed).toEqual(Object.keys(expected).sort());
    for (const [file, text] of Object.entries(expected)) {
      expect({ file, text: fs.readFileSync(path.join(dir, file), 'utf8') }).toEqual({ file, text });
    }
  });
});
