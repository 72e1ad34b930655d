import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderDispatcherOpenApiDocument } from './api';

const committed = path.join(__dirname, '../../../docs/openapi-alert-dispatcher.json');

describe('docs/openapi-alert-dispatcher.json', () => {
  it('is the document the alert-dispatcher serves (regenerate: UPDATE_OPENAPI=1 npx jest -c libs/alert-dispatch/jest.config.cjs openapi)', () => {
    const text = renderDispatcherOpenApiDocument();
    if (process.env.UPDATE_OPENAPI === '1') fs.writeFileSync(committed, text);
    expect(fs.existsSync(committed) ? fs.readFileSync(committed, 'utf8') : '(missing)').toBe(text);
  });

  it('states the history filters, their cross-field rules and every status', () => {
    const doc = JSON.parse(renderDispatcherOpenApiDocument()) as { paths: Record<string, Record<string, any>> };
    const history = doc.paths['/v1/alerts/history'].get;
    expect(history.parameters.map((p: { name: string }) => p.name)).toEqual(['entity', 'type', 'severity', 'category', 'action', 'state', 'from', 'to', 'cursor', 'limit']);
    expect(history['x-constraints'].map((c: { rule: string }) => c.rule)).toEqual(['order', 'maxDurationDays']);
    expect(Object.keys(history.responses)).toEqual(['200', '400', '401', '503']);
    expect(Object.keys(doc.paths['/v1/silences/{id}/expire'].post.responses)).toEqual(['200', '400', '401', '404', '413', '415', '503']);
    const create = doc.paths['/v1/silences'].post.requestBody.content['application/json'].schema;
    expect(create['x-constraints']).toEqual([expect.objectContaining({ rule: 'order', lower: 'startsAt', upper: 'endsAt', strict: true })]);
  });
});
