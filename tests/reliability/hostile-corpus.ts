import { randomBytes, randomUUID } from 'node:crypto';
import { CompactSign, base64url } from 'jose';
import { generateIdentity, sign, signCredential, type Identity } from '../../scripts/lib/aura-client.ts';
import {
  FORMATS,
  hugeFlatPng,
  jpegWithGiantApp1,
  onePixelPng,
  pngClaimingSize,
  withPngChunks,
  sampleImages,
  scramble,
  tEXt,
  truncate,
  zTxtBomb,
} from './images.ts';

/** One hostile request; every one must be answered with a 4xx problem+json and leave nothing behind. */
export interface HostileCase {
  name: string;
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: () => BodyInit;
  auth?: 'artist' | 'organization';
  /** The stable code expected, when one specific answer is right. */
  code?: string;
}

export interface CorpusTargets {
  workId: string;
  artistHandle: string;
  artistKid: string;
  /** An unconsumed work draft of the artist and its payload: hostile signatures must not consume it. */
  draftId: string;
  draftPayload: Record<string, unknown>;
  artist: Identity;
  /** Upload limit of the server under test, in bytes. */
  maxUploadBytes: number;
}

const SQL = [`' OR '1'='1`, `'; DROP TABLE works; --`, `1; SELECT pg_sleep(10)--`, `") UNION SELECT * FROM keys--`];
const HTML = [
  `<script>alert(1)</script>`,
  `"><img src=x onerror=alert(1)>`,
  `javascript:alert(1)`,
  `{{constructor.constructor('alert(1)')()}}`,
];
const PAYLOADS = [...SQL, ...HTML];
const INVALID_UTF8 = Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0xf0, 0x28, 0x8c, 0xbc, 0xff, 0xfe]);

const json = (value: unknown) => () => JSON.stringify(value);
const JSON_HEADERS = { 'content-type': 'application/json' };

function nested(depth: number, open: string, close: string, inner = '1'): string {
  return open.repeat(depth) + inner + close.repeat(depth);
}

/** A multipart body assembled by hand, for what FormData cannot express (invalid UTF-8, truncation). */
function rawMultipart(parts: Array<{ name: string; filename?: string; data: Buffer }>, options: { truncateAt?: number } = {}) {
  const boundary = `----aura${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition = `form-data; name="${part.name}"${part.filename ? `; filename="${part.filename}"` : ''}`;
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: ${disposition}\r\n${part.filename ? 'Content-Type: application/octet-stream\r\n' : ''}\r\n`,
      ),
    );
    chunks.push(part.data, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  let body = Buffer.concat(chunks);
  if (options.truncateAt !== undefined) body = body.subarray(0, options.truncateAt);
  return { body, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

function form(fields: Record<string, string>, files: Array<{ field: string; bytes: Buffer; filename?: string }>): () => FormData {
  return () => {
    const f = new FormData();
    for (const [k, v] of Object.entries(fields)) f.append(k, v);
    for (const file of files) f.append(file.field, new Blob([new Uint8Array(file.bytes)]), file.filename ?? 'upload.bin');
    return f;
  };
}

type HostileImage = { name: string; bytes: Buffer; code?: string };
const imageSets = new Map<number, Promise<HostileImage[]>>();
/** Built once per upload limit and shared by both database backends. */
function hostileImages(maxUploadBytes: number): Promise<HostileImage[]> {
  if (!imageSets.has(maxUploadBytes)) imageSets.set(maxUploadBytes, buildHostileImages(maxUploadBytes));
  return imageSets.get(maxUploadBytes)!;
}

async function buildHostileImages(maxUploadBytes: number): Promise<HostileImage[]> {
  const samples = await sampleImages();
  const images: HostileImage[] = [];
  for (const format of FORMATS) {
    const bytes = samples[format];
    images.push({ name: `${format} cut to 16 bytes`, bytes: bytes.subarray(0, 16) });
    for (const fraction of [0.1, 0.3, 0.5, 0.7, 0.9])
      images.push({ name: `${format} truncated at ${fraction * 100}%`, bytes: truncate(bytes, fraction) });
  }
  // Corruptions each decoder is known to refuse (corrupt pixel data that still decodes is a valid image).
  images.push({ name: 'png with scrambled IDAT', bytes: scramble(samples.png, 0.3, 0.6) });
  images.push({ name: 'avif with scrambled boxes', bytes: scramble(samples.avif, 0.3, 0.6) });
  images.push({ name: 'tiff with scrambled strips', bytes: scramble(samples.tiff, 0.3, 0.6) });
  for (const format of ['png', 'webp', 'avif', 'tiff'] as const) {
    const broken = Buffer.from(samples[format]);
    broken.fill(0xff, 12, 40);
    images.push({ name: `${format} with a destroyed header`, bytes: broken });
  }
  // Wrong magic bytes: one format's body behind another's signature.
  const swap = (bytes: Buffer, magic: Buffer) => Buffer.concat([magic, bytes.subarray(magic.length)]);
  images.push({ name: 'jpeg body behind a PNG signature', bytes: swap(samples.jpeg, samples.png.subarray(0, 8)) });
  images.push({ name: 'png body behind a JPEG marker', bytes: swap(samples.png, Buffer.from([0xff, 0xd8, 0xff, 0xe0])) });
  images.push({ name: 'webp body behind a GIF signature', bytes: swap(samples.webp, Buffer.from('GIF89a')) });
  images.push({ name: 'gif body behind a TIFF signature', bytes: swap(samples.gif, Buffer.from('II*\0')) });
  images.push({ name: 'random bytes', bytes: randomBytes(4096), code: 'unsupported_media_type' });
  images.push({
    name: 'a text file',
    bytes: Buffer.from('just some text, not an image at all\n'.repeat(20)),
    code: 'unsupported_media_type',
  });
  images.push({ name: 'a PDF', bytes: Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n'), code: 'unsupported_media_type' });
  images.push({ name: 'a BMP header', bytes: Buffer.concat([Buffer.from('BM'), randomBytes(200)]), code: 'unsupported_media_type' });
  images.push({
    name: 'a HEIC header',
    bytes: Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from('ftypheic\0\0\0\0mif1heic'), randomBytes(100)]),
    code: 'unsupported_media_type',
  });
  // SVG and HTML polyglots.
  images.push({
    name: 'SVG with a script',
    bytes: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'),
    code: 'unsupported_media_type',
  });
  images.push({
    name: 'SVG behind an XML prolog',
    bytes: Buffer.from('<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg>&x;</svg>'),
    code: 'unsupported_media_type',
  });
  images.push({
    name: 'an HTML page',
    bytes: Buffer.from('<!doctype html><html><body><script>fetch("/v1/works")</script></body></html>'),
    code: 'unsupported_media_type',
  });
  images.push({
    name: 'GIF/JavaScript polyglot',
    bytes: Buffer.from('GIF89a/*\x01\x00\x01\x00\x00\x00\x00*/=1;alert(document.domain);//'),
    code: 'image_unreadable',
  });
  images.push({
    name: 'PNG signature followed by HTML',
    bytes: Buffer.concat([samples.png.subarray(0, 8), Buffer.from('<html><script>alert(1)</script></html>')]),
  });
  images.push({
    name: 'JPEG marker followed by SVG',
    bytes: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xfe, 0x00, 0x40]), Buffer.from('<svg onload=alert(1)>'.padEnd(80, ' '))]),
  });
  // Size and pixel bombs.
  images.push({ name: '0-byte upload', bytes: Buffer.alloc(0) });
  images.push({
    name: '1x1 PNG claiming 100,000 x 100,000 pixels',
    bytes: pngClaimingSize(await onePixelPng(), 100_000, 100_000),
    code: 'too_many_pixels',
  });
  images.push({ name: '30,000 x 30,000 single-colour PNG', bytes: hugeFlatPng(30_000, 30_000), code: 'too_many_pixels' });
  images.push({ name: 'PNG claiming 2^31-1 pixels wide', bytes: pngClaimingSize(await onePixelPng(), 0x7fffffff, 1) });
  images.push({
    name: 'file above the upload limit',
    bytes: Buffer.concat([samples.jpeg, randomBytes(maxUploadBytes + 1024)]),
    code: 'image_too_large',
  });
  // Gigantic metadata: beyond the upload limit it is refused; inside it, a broken image with a zTXt bomb is still refused.
  images.push({
    name: 'PNG with a tEXt chunk above the upload limit',
    bytes: withPngChunks(samples.png, tEXt('Comment', 'A'.repeat(maxUploadBytes + 10))),
    code: 'image_too_large',
  });
  images.push({
    name: 'JPEG with EXIF/XMP segments above the upload limit',
    bytes: jpegWithGiantApp1(samples.jpeg, Math.ceil(maxUploadBytes / 65_000) + 2),
    code: 'image_too_large',
  });
  images.push({
    name: 'truncated PNG with a 64 MB zTXt bomb and 300 text chunks',
    bytes: truncate(
      withPngChunks(
        samples.png,
        zTxtBomb('parameters', 64 << 20),
        ...Array.from({ length: 300 }, (_, i) => tEXt(`k${i}`, 'x'.repeat(1000))),
      ),
      0.97,
    ),
  });
  return images;
}

export async function buildCorpus(t: CorpusTargets): Promise<HostileCase[]> {
  const cases: HostileCase[] = [];
  const other = await generateIdentity();
  const work = `/v1/works/${t.workId}`;

  // --- JSON endpoints: generic malformed bodies, then hostile values in each validated field.
  const jsonEndpoints: Array<{ path: string; auth?: 'artist' | 'organization'; base: Record<string, unknown>; fields: string[] }> = [
    { path: '/v1/auth/challenge', base: {}, fields: ['kid'] },
    { path: '/v1/auth/session', base: {}, fields: ['jws'] },
    {
      path: '/v1/accounts',
      base: { handle: 'mallory', displayName: 'Mallory', kind: 'artist', jwk: other.publicJwk, proof: 'a.b.c' },
      fields: ['handle', 'displayName', 'kind', 'bio', 'website', 'proof'],
    },
    { path: `/v1/accounts/${t.artistHandle}/keys`, base: { jwk: other.publicJwk, jws: 'a.b.c' }, fields: ['jws', 'jwk'] },
    { path: `/v1/keys/${t.artistKid}/revoke`, base: { jws: 'a.b.c' }, fields: ['jws'] },
    { path: '/v1/works', auth: 'artist', base: { draftId: t.draftId, jws: 'a.b.c' }, fields: ['draftId', 'jws'] },
    { path: '/v1/process', auth: 'artist', base: { draftId: randomUUID(), jws: 'a.b.c' }, fields: ['draftId', 'jws'] },
    { path: `${work}/process`, auth: 'artist', base: { draftId: randomUUID(), jws: 'a.b.c' }, fields: ['draftId', 'jws'] },
    {
      path: `${work}/attestations/drafts`,
      auth: 'organization',
      base: { type: 'exhibited', date: '2026-01-01' },
      fields: ['type', 'date'],
    },
    { path: `${work}/attestations`, auth: 'organization', base: { draftId: randomUUID(), jws: 'a.b.c' }, fields: ['draftId', 'jws'] },
    { path: `/v1/attestations/${randomUUID()}/revoke`, auth: 'organization', base: { jws: 'a.b.c' }, fields: ['jws'] },
    { path: `${work}/revoke`, auth: 'artist', base: { jws: 'a.b.c' }, fields: ['jws'] },
    { path: `${work}/disputes`, auth: 'artist', base: { jws: 'a.b.c' }, fields: ['jws'] },
    { path: '/matches/byBinding', base: { alg: 'com.aura.pdq', value: 'AAAA' }, fields: ['alg', 'value'] },
    // Domain linkage (the organisation signed in by hostile.test.ts): nothing here may make the registry fetch anything.
    { path: '/v1/accounts/hostile-gallery/domains', auth: 'organization', base: { domain: '169.254.169.254' }, fields: ['domain'] },
  ];
  for (const e of jsonEndpoints) {
    const post = (name: string, body: () => BodyInit, headers: Record<string, string> = JSON_HEADERS, code?: string): HostileCase => ({
      name: `${e.path}: ${name}`,
      method: 'POST',
      path: e.path,
      headers,
      body,
      ...(e.auth ? { auth: e.auth } : {}),
      ...(code ? { code } : {}),
    });
    cases.push(post('malformed JSON', () => '{"jws": "a.b.c", ', JSON_HEADERS, 'invalid_json'));
    cases.push(post('oversize JSON', json({ ...e.base, padding: 'x'.repeat(300 * 1024) }), JSON_HEADERS, 'payload_too_large'));
    cases.push(post('JSON nested 50,000 arrays deep', () => nested(50_000, '[', ']')));
    cases.push(post(`JSON nested 20,000 objects deep in ${e.fields[0]}`, () => `{"${e.fields[0]}":${nested(20_000, '{"a":', '}', '{}')}}`));
    cases.push(
      post('invalid UTF-8 inside a string', () => Buffer.concat([Buffer.from(`{"${e.fields[0]}":"`), INVALID_UTF8, Buffer.from('"}')])),
    );
    cases.push(post('a top-level array', json([e.base])));
    cases.push(post('JSON null', () => 'null'));
    cases.push(post('latin1 charset', json(e.base), { 'content-type': 'application/json; charset=latin1' }, 'unsupported_media_type'));
    cases.push(
      post(
        '__proto__ and constructor keys',
        () =>
          `{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}},${JSON.stringify({ ...e.base, [e.fields[0]!]: null }).slice(1)}`,
      ),
    );
    if (!e.path.endsWith('/challenge'))
      cases.push(
        post('form-encoded body', () => new URLSearchParams({ x: '1' }).toString(), {
          'content-type': 'application/x-www-form-urlencoded',
        }),
      );
    for (const field of e.fields) {
      for (const payload of PAYLOADS.slice(0, e.fields.length > 2 ? 3 : 8))
        cases.push(post(`${field} = ${payload}`, json({ ...e.base, [field]: payload })));
      cases.push(post(`${field} as an object`, json({ ...e.base, [field]: { $ne: null } })));
      cases.push(post(`${field} of 100,000 characters`, json({ ...e.base, [field]: 'a'.repeat(100_000) })));
    }
  }

  // --- Forged signatures against a real, unconsumed draft: refused, and the draft stays unconsumed.
  const signedBy = async (identity: Identity, payload: Record<string, unknown>) => signCredential(identity, payload);
  const hmac = await new CompactSign(new TextEncoder().encode(JSON.stringify(t.draftPayload)))
    .setProtectedHeader({ alg: 'HS256', typ: 'vc+jwt', cty: 'vc', kid: t.artistKid })
    .sign(new TextEncoder().encode('secret-secret-secret-secret-32b!'));
  const none = `${base64url.encode(JSON.stringify({ alg: 'none', typ: 'vc+jwt', cty: 'vc', kid: t.artistKid }))}.${base64url.encode(JSON.stringify(t.draftPayload))}.AA`;
  const forged: Array<[string, string]> = [
    ['signed by a key of no account', await signedBy(other, t.draftPayload)],
    [
      'signed over a different title',
      await signedBy(t.artist, {
        ...t.draftPayload,
        credentialSubject: { ...(t.draftPayload.credentialSubject as object), title: 'Other' },
      }),
    ],
    ['HS256 with the kid of the artist', hmac],
    ['alg none', none],
    ['wrong typ', await sign(t.artist, t.draftPayload, 'JWT', { cty: 'vc' })],
    [
      'key embedded in the header under the artist kid',
      await new CompactSign(new TextEncoder().encode(JSON.stringify(t.draftPayload)))
        .setProtectedHeader({ alg: 'EdDSA', typ: 'vc+jwt', cty: 'vc', kid: t.artistKid, jwk: other.publicJwk })
        .sign(other.privateKey),
    ],
  ];
  for (const [name, jws] of forged) {
    cases.push({
      name: `/v1/works: forged credential, ${name}`,
      method: 'POST',
      path: '/v1/works',
      auth: 'artist',
      headers: JSON_HEADERS,
      body: json({ draftId: t.draftId, jws }),
    });
  }

  // --- Path parameters.
  for (const payload of [...PAYLOADS.slice(0, 4), '%00', '..%2F..%2Fetc%2Fpasswd', 'a'.repeat(2000)]) {
    const p = encodeURIComponent(payload).replace(/%25/g, '%');
    cases.push({ name: `GET /v1/works/${payload.slice(0, 30)}`, method: 'GET', path: `/v1/works/${p}` });
    cases.push({ name: `GET /v1/accounts/${payload.slice(0, 30)}`, method: 'GET', path: `/v1/accounts/${p}` });
    cases.push({
      name: `POST /v1/keys/${payload.slice(0, 30)}/revoke`,
      method: 'POST',
      path: `/v1/keys/${p}/revoke`,
      headers: JSON_HEADERS,
      body: json({ jws: 'a.b.c' }),
    });
  }
  for (const sub of ['bundle', 'badge.svg', 'thumbnail', 'timeline'])
    cases.push({ name: `GET /v1/works/<script>/${sub}`, method: 'GET', path: `/v1/works/%3Cscript%3E/${sub}` });
  cases.push({
    name: 'GET /v1/accounts/<script>/attestations',
    method: 'GET',
    path: '/v1/accounts/%3Cscript%3Ealert(1)%3C%2Fscript%3E/attestations?limit=10',
  });

  // --- Absurd pagination and ranges.
  const pages: string[] = [
    '/v1/works?limit=-1',
    '/v1/works?limit=0',
    '/v1/works?limit=1e309',
    '/v1/works?limit=NaN',
    '/v1/works?limit=99999999999999999999',
    '/v1/works?limit=1.5',
    '/v1/works?offset=-5',
    '/v1/works?offset=1e12',
    '/v1/works?limit=1&limit=2',
    `/v1/works?q=${'x'.repeat(300)}`,
    `/v1/works?artist=${'a'.repeat(100)}`,
    `/v1/accounts/${t.artistHandle}/attestations?limit=100000`,
    `/v1/accounts/${t.artistHandle}/attestations?offset=-1`,
    '/v1/log/entries?start=-1',
    '/v1/log/entries?start=abc',
    '/v1/log/entries?start=1e400',
    '/v1/log/entries?start=5&end=2',
    '/v1/log/entries?start=9223372036854775808',
    '/v1/log/entries?start=0&end=99999999999999999999',
    '/v1/log/entries/-1',
    '/v1/log/entries/1.5',
    '/v1/log/entries/99999999999',
    '/v1/log/entries/0x10',
    '/v1/log/proof/inclusion?index=5&size=2',
    '/v1/log/proof/inclusion?index=-1&size=1',
    '/v1/log/proof/inclusion?index=0&size=99999999999',
    '/v1/log/proof/inclusion',
    '/v1/log/proof/consistency?from=9&to=1',
    '/v1/log/proof/consistency?from=1&to=99999999999',
    '/v1/log/proof/consistency?from=-3&to=2',
    '/v1/log/proof/consistency?from=NaN&to=Infinity',
    '/matches/byBinding?alg=com.aura.pdq&value=AAAA&maxResults=0',
    '/matches/byBinding?alg=com.aura.pdq&value=AAAA&maxResults=1000000',
    `/matches/byBinding?alg=${encodeURIComponent(SQL[1]!)}&value=AAAA`,
    `/matches/byBinding?alg=com.aura.pdq&value=${encodeURIComponent(HTML[0]!)}`,
    `/matches/byBinding?alg=com.aura.pdq&value=${'A'.repeat(500)}`,
    '/matches/byBinding',
    `/v1/works?limit=${encodeURIComponent(SQL[0]!)}`,
  ];
  for (const path of pages) cases.push({ name: `GET ${path.slice(0, 80)}`, method: 'GET', path });
  for (const bad of ['Bearer x.y.z', `Bearer ${SQL[0]}`, `Bearer ${'a'.repeat(10_000)}`, 'Basic YWRtaW46YWRtaW4=']) {
    cases.push({
      name: `GET /v1/auth/session with Authorization ${bad.slice(0, 30)}`,
      method: 'GET',
      path: '/v1/auth/session',
      headers: { authorization: bad },
    });
  }
  cases.push({
    name: 'GET /v1/auth/session with a garbage cookie',
    method: 'GET',
    path: '/v1/auth/session',
    headers: { cookie: `aura_session=${encodeURIComponent(HTML[0]!)}` },
  });

  // --- Uploads: hostile images on every endpoint that takes one.
  const uploads: Array<{ path: string; auth?: 'artist'; fields: Record<string, string>; raw?: boolean }> = [
    { path: '/v1/works/drafts', auth: 'artist', fields: { title: 'Hostile', digitalSourceType: 'digitalCreation' } },
    { path: '/v1/process/drafts', auth: 'artist', fields: {} },
    { path: `${work}/process/drafts`, auth: 'artist', fields: { note: 'wip' } },
    { path: '/v1/verify', fields: {} },
    { path: '/v1/inspect', fields: {} },
    { path: '/matches/byContent', fields: {} },
    { path: '/matches/byContent', fields: {}, raw: true },
  ];
  const images = await hostileImages(t.maxUploadBytes);
  for (const u of uploads) {
    for (const image of images) {
      const rawEmpty = u.raw && image.bytes.length === 0;
      cases.push({
        name: `${u.path}${u.raw ? ' (raw body)' : ''}: ${image.name}`,
        method: 'POST',
        path: u.path,
        ...(u.auth ? { auth: u.auth } : {}),
        ...(u.raw
          ? { headers: { 'content-type': 'image/png' }, body: () => new Uint8Array(image.bytes) }
          : { body: form(u.fields, [{ field: 'image', bytes: image.bytes }]) }),
        ...(image.code && !rawEmpty && !(u.raw && image.code === 'image_too_large') ? { code: image.code } : {}),
      });
    }
    if (u.raw) continue;
    const good = (await sampleImages(7)).png;
    const up = (name: string, body: () => BodyInit, headers?: Record<string, string>): HostileCase => ({
      name: `${u.path}: ${name}`,
      method: 'POST',
      path: u.path,
      ...(u.auth ? { auth: u.auth } : {}),
      ...(headers ? { headers } : {}),
      body,
    });
    cases.push(up('no file', form(u.fields, [])));
    cases.push(
      up(
        'two files in "image"',
        form(u.fields, [
          { field: 'image', bytes: good },
          { field: 'image', bytes: good },
        ]),
      ),
    );
    cases.push(
      up(
        '20 files in 20 fields',
        form(
          u.fields,
          Array.from({ length: 20 }, (_, i) => ({ field: `f${i}`, bytes: good })),
        ),
      ),
    );
    cases.push(up('file in the wrong field', form(u.fields, [{ field: 'file', bytes: good }])));
    cases.push(
      up(
        '100 text fields',
        form({ ...u.fields, ...Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`x${i}`, 'y'])) }, [
          { field: 'image', bytes: good },
        ]),
      ),
    );
    // The C2PA byContent endpoint ignores extra fields by design; the registry's own uploads refuse them.
    if (u.path !== '/matches/byContent')
      cases.push(up('a 100 KB text field', form({ ...u.fields, big: 'z'.repeat(100_000) }, [{ field: 'image', bytes: good }])));
    const truncated = rawMultipart(
      [...Object.entries(u.fields).map(([name, v]) => ({ name, data: Buffer.from(v) })), { name: 'image', filename: 'a.png', data: good }],
      { truncateAt: 300 },
    );
    cases.push(up('multipart body cut short', () => new Uint8Array(truncated.body), truncated.headers));
    cases.push(up('multipart without a boundary', () => 'garbage', { 'content-type': 'multipart/form-data' }));
    cases.push(up('JSON instead of multipart', json({ image: good.toString('base64') }), JSON_HEADERS));
  }
  // Hostile text fields of a work draft (refused before the image is even decoded).
  const good = (await sampleImages(9)).png;
  const draftFields: Array<[string, Record<string, string>]> = [
    ['empty title', { title: '' }],
    ['title of 201 characters', { title: 'x'.repeat(201) }],
    ['statement of 4001 characters', { title: 'ok', statement: 's'.repeat(4001) }],
    ['year = abc', { title: 'ok', year: 'abc' }],
    ['year = 1e10', { title: 'ok', year: '1e10' }],
    [
      'digitalSourceType = AI term',
      { title: 'ok', digitalSourceType: 'http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia' },
    ],
    ...SQL.map((s): [string, Record<string, string>] => [`digitalSourceType = ${s}`, { title: 'ok', digitalSourceType: s }]),
    ...PAYLOADS.slice(0, 4).map((s): [string, Record<string, string>] => [`processIds = ${s}`, { title: 'ok', processIds: s }]),
    ['processIds of 101 ids', { title: 'ok', processIds: Array.from({ length: 101 }, () => randomUUID()).join(',') }],
    ['processIds of another account', { title: 'ok', processIds: randomUUID() }],
  ];
  for (const [name, fields] of draftFields) {
    cases.push({
      name: `/v1/works/drafts: ${name}`,
      method: 'POST',
      path: '/v1/works/drafts',
      auth: 'artist',
      body: form(fields, [{ field: 'image', bytes: good }]),
    });
  }
  const badUtf8 = rawMultipart([
    { name: 'title', data: Buffer.from('ok') },
    { name: 'processIds', data: INVALID_UTF8 },
    { name: 'image', filename: 'a.png', data: good },
  ]);
  cases.push({
    name: '/v1/works/drafts: invalid UTF-8 in processIds',
    method: 'POST',
    path: '/v1/works/drafts',
    auth: 'artist',
    headers: badUtf8.headers,
    body: () => new Uint8Array(badUtf8.body),
  });
  const noSession = form({ title: 'ok' }, [{ field: 'image', bytes: good }]);
  cases.push({
    name: '/v1/works/drafts: a valid image without a session',
    method: 'POST',
    path: '/v1/works/drafts',
    body: noSession,
    code: 'unauthenticated',
  });
  return cases;
}
