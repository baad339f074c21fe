import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, readFixture, startTestServer, type TestServer } from '../helpers/server.ts';
import { pngWithHeader, painting } from '../images/synthetic.ts';

const IPTC = 'http://cv.iptc.org/newscodes/digitalsourcetype/';

describeEachDatabase('POST /v1/inspect', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend, { env: { AURA_MAX_UPLOAD_MB: '2' } });
  });
  afterAll(async () => server?.close());

  const inspect = (bytes: Buffer, filename = 'image.bin') => {
    const form = new FormData();
    form.append('image', new Blob([new Uint8Array(bytes)]), filename);
    return server.fetch('/v1/inspect', { method: 'POST', body: form });
  };

  async function expectProblem(res: Response, status: number, code: string): Promise<{ detail: string }> {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const body = await res.json();
    expect(body).toMatchObject({ status, code });
    expect(body.detail.length).toBeGreaterThan(10);
    return body;
  }

  it('returns the fingerprint and camera evidence of a camera JPEG', async () => {
    const res = await inspect(readFixture('camera/canon-dslr.jpg'), 'canon.jpg');
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ format: 'jpeg', evidence: { camera: { make: 'Canon', model: 'Canon EOS 1300D' }, aiMarkers: [] } });
    expect(body.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(body.pdq).toMatch(/^[0-9a-f]{64}$/);
    expect(body.width).toBeGreaterThan(0);
    expect(JSON.stringify(body)).not.toContain('223073000724'); // the body serial number stays private
  });

  it('reports the C2PA AI marker of c2pa/C.jpg', async () => {
    const body = await (await inspect(readFixture('c2pa/C.jpg'))).json();
    expect(body.evidence.c2pa).toMatchObject({ present: true, digitalSourceType: `${IPTC}algorithmicMedia` });
    expect(body.evidence.aiMarkers).toContainEqual(expect.objectContaining({ kind: 'c2pa-digital-source-type' }));
  });

  it('never puts GPS, owner name or serials in the response', async () => {
    const res = await inspect(readFixture('camera/png_with_exif_and_gps.png'));
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toMatch(/50\.29|14\.82|latitude|longitude|gps|Huggel|ownerName|serial/i);
    expect(JSON.parse(text).evidence.camera.model).toBe('Canon PowerShot S40');
  });

  it('answers every bad/ fixture with 200 or a 4xx problem, never 5xx', async () => {
    for (const name of [
      'RangeError_Invalid_typed_array_length.jpg',
      'RangeError_Offset_outside_bounds.jpg',
      'broken1.jpg',
      'invalid-iCCP-missing-adler32-checksum.png',
      'issue-exifr-41-Error_Segment_Unreachable.jpg',
    ]) {
      const res = await inspect(readFixture(`bad/${name}`));
      if (res.status !== 200) await expectProblem(res, res.status, (await res.clone().json()).code);
      expect(res.status, name).toBeLessThan(500);
    }
  });

  it('refuses HEIC and SVG with 415', async () => {
    const heic = await expectProblem(await inspect(readFixture('bad/heic-single.heic')), 415, 'unsupported_media_type');
    expect(heic.detail).toMatch(/HEIC.*JPEG, PNG/);
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><circle r="2"/></svg>');
    await expectProblem(await inspect(svg, 'x.svg'), 415, 'unsupported_media_type');
  });

  it('refuses an upload over the size limit with 413', async () => {
    const big = Buffer.concat([await painting(64, 64).png().toBuffer(), Buffer.alloc(3 * 1024 * 1024)]);
    await expectProblem(await inspect(big), 413, 'image_too_large');
  });

  it('refuses a PNG whose header claims 100000×100000 without decoding it', async () => {
    const started = performance.now();
    const body = await expectProblem(await inspect(pngWithHeader(100_000, 100_000)), 422, 'too_many_pixels');
    expect(body.detail).toMatch(/100000×100000/);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('refuses a corrupt file with 422 and a request without the image with 400', async () => {
    const jpeg = await painting(300, 200).jpeg().toBuffer();
    await expectProblem(await inspect(jpeg.subarray(0, 300)), 422, 'image_unreadable');
    const form = new FormData();
    form.append('title', 'no image here');
    await expectProblem(await server.fetch('/v1/inspect', { method: 'POST', body: form }), 400, 'bad_request');
    await expectProblem(
      await server.fetch('/v1/inspect', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }),
      415,
      'unsupported_media_type',
    );
  });

  it('is described in the OpenAPI document with its response schema', async () => {
    const doc = await (await server.fetch('/openapi.json')).json();
    const op = doc.paths['/v1/inspect'].post;
    expect(op.requestBody.content['multipart/form-data']).toBeDefined();
    const schema = JSON.stringify(op.responses['200'].content['application/json'].schema);
    expect(schema).toContain('InspectResult');
    expect(JSON.stringify(doc.components.schemas.PublicEvidence)).toContain('aiMarkers');
  });
});
