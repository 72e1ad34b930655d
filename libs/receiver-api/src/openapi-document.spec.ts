import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderOpenApiDocument } from './openapi-document';

const committed = path.join(__dirname, '../../../docs/openapi.json');

describe('docs/openapi.json', () => {
  it('is the document the receiver serves (regenerate: UPDATE_OPENAPI=1 npx jest -c libs/receiver-api/jest.config.cjs openapi)', () => {
    const text = renderOpenApiDocument();
    if (process.env.UPDATE_OPENAPI === '1') fs.writeFileSync(committed, text);
    expect(fs.existsSync(committed) ? fs.readFileSync(committed, 'utf8') : '(missing)').toBe(text);
  });

  it('documents every route with its parameters, security and error answers', () => {
    const doc = JSON.parse(renderOpenApiDocument()) as { openapi: string; paths: Record<string, Record<string, any>> };
    expect(doc.openapi).toBe('3.1.0');
    const put = doc.paths['/v1/artifacts/{host}/{name}'].put;
    expect(put.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`)).toEqual(['path:host', 'path:name']);
    expect(put.security).toEqual([{ hostToken: [] }]);
    expect(Object.keys(put.responses)).toEqual(expect.arrayContaining(['200', '201', '400', '401', '409', '412', '413', '503']));
    const range = doc.paths['/v1/ssh-logins/range'].get;
    expect(range.parameters.filter((p: { required: boolean }) => p.required).map((p: { name: string }) => p.name)).toEqual(['from', 'to']);
    expect(doc.paths['/v1/health'].get.security).toEqual([]);
  });
});
