import { describe, expect, it } from 'vitest';
import { ApiError, retrySafely } from '../../web/src/api.ts';

describe('web API client (api.ts)', () => {
  it('keeps the Idempotency-Key across retries only while the outcome is unknown', async () => {
    const run = retrySafely();
    const keys: string[] = [];
    const failWith = (status: number) => (key: string) => {
      keys.push(key);
      return Promise.reject(new ApiError(status, { code: `s${status}` }));
    };
    await expect(run(failWith(0))).rejects.toBeInstanceOf(ApiError);
    await expect(run(failWith(503))).rejects.toBeInstanceOf(ApiError);
    expect(keys[1]).toBe(keys[0]);
    await expect(run(failWith(409))).rejects.toBeInstanceOf(ApiError);
    expect(keys[2]).toBe(keys[0]);
    // A definite answer ends the key: the next attempt is a new request.
    await run(async (key) => keys.push(key));
    expect(keys[3]).not.toBe(keys[0]);
    await run(async (key) => keys.push(key));
    expect(keys[4]).not.toBe(keys[3]);
  });

  it('carries the problem code and detail, with a readable fallback when the body is not a problem', () => {
    const e = new ApiError(422, { code: 'image_unreadable', detail: 'cannot decode' });
    expect([e.code, e.message, e.status]).toEqual(['image_unreadable', 'cannot decode', 422]);
    expect(new ApiError(502, {}).code).toBe('http_502');
    expect(new ApiError(0, { detail: 'offline' }).code).toBe('network_error');
  });
});
