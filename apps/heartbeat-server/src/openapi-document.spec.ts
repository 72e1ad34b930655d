import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderHeartbeatOpenApiDocument } from './http-api';

const committed = path.join(__dirname, '../../../docs/openapi-heartbeat-server.json');

describe('docs/openapi-heartbeat-server.json', () => {
  it('is the document the heartbeat-server serves (regenerate: UPDATE_OPENAPI=1 npx jest -c apps/heartbeat-server/jest.config.cjs openapi)', () => {
    const text = renderHeartbeatOpenApiDocument();
    if (process.env.UPDATE_OPENAPI === '1') fs.writeFileSync(committed, text);
    expect(fs.existsSync(committed) ? fs.readFileSync(committed, 'utf8') : '(missing)').toBe(text);
  });
});
