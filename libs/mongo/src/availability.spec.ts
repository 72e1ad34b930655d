import { isMongoTimeout, isMongoUnavailable } from './availability';

const named = (name: string, extra: object = {}) => Object.assign(new Error(name), { name, ...extra });

describe('isMongoUnavailable', () => {
  it('knows the driver outage errors, also when a bulk write wraps them as cause or errorResponse', () => {
    expect(isMongoUnavailable(named('MongoServerSelectionError'))).toBe(true);
    expect(isMongoUnavailable(named('MongoBulkWriteError', { cause: named('MongoNetworkError') }))).toBe(true);
    expect(isMongoUnavailable(named('MongoBulkWriteError', { errorResponse: named('MongoPoolClearedError') }))).toBe(true);
  });
  it('is not fooled by other errors or by a self-reference', () => {
    expect(isMongoUnavailable(named('MongoServerError', { code: 11000 }))).toBe(false);
    const loop: { name: string; cause?: unknown } = { name: 'MongoBulkWriteError' };
    loop.cause = loop;
    expect(isMongoUnavailable(loop)).toBe(false);
    expect(isMongoUnavailable(undefined)).toBe(false);
  });
});

describe('isMongoTimeout', () => {
  it('knows the client timeout and the server maxTimeMS, also inside a bulk write', () => {
    expect(isMongoTimeout(named('MongoOperationTimeoutError'))).toBe(true);
    expect(isMongoTimeout({ code: 50, codeName: 'MaxTimeMSExpired' })).toBe(true);
    expect(isMongoTimeout(named('MongoBulkWriteError', { errorResponse: { code: 50 } }))).toBe(true);
  });
  it('does not call an outage or a duplicate key a timeout', () => {
    expect(isMongoTimeout(named('MongoNetworkError'))).toBe(false);
    expect(isMongoTimeout(named('MongoServerError', { code: 11000 }))).toBe(false);
  });
});
