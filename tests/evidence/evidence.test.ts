import type { Sharp } from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { isAiSourceType, xmpDigitalSourceTypes } from '../../api/evidence/ai-markers.ts';
import { decodeUserComment, repairMojibake } from '../../api/evidence/fields.ts';
import { MAX_INFLATED_TEXT_BYTES, readPngTextChunks } from '../../api/evidence/png-chunks.ts';
import { readEvidence } from '../../api/evidence/read-evidence.ts';
import { findXmpPackets, jpegHeaderLength } from '../../api/evidence/metadata.ts';
import { Ingest } from '../../api/uploads/ingest.ts';
import { InlineParsers } from '../../api/uploads/parser-pool.ts';
import { readFixture } from '../helpers/server.ts';
import { painting } from '../images/synthetic.ts';
import { iTXt, tEXt, withPngChunks, zTXt } from '../helpers/png.ts';

const IPTC = 'http://cv.iptc.org/newscodes/digitalsourcetype/';
const A1111 =
  'a watercolour fox in the snow\nNegative prompt: blurry\nSteps: 28, Sampler: DPM++ 2M Karras, CFG scale: 7, Seed: 1234, Size: 512x512, Model: sd_xl_base_1.0';

const xmpPacket = (sourceType: string) => `<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"
 Iptc4xmpExt:DigitalSourceType="${sourceType}"/></rdf:RDF></x:xmpmeta><?xpacket end="w"?>`;

describe('metadata evidence from real files', () => {
  it('c2pa/C.jpg: a C2PA manifest whose created action is algorithmicMedia is an AI marker', async () => {
    const evidence = await readEvidence(readFixture('c2pa/C.jpg'));
    expect(evidence.public.c2pa).toMatchObject({
      present: true,
      actions: ['c2pa.created'],
      digitalSourceType: `${IPTC}algorithmicMedia`,
      signatureValid: true,
    });
    expect(evidence.public.c2pa!.claimGenerator).toMatch(/make_test_images/);
    expect(evidence.public.aiMarkers).toContainEqual({
      kind: 'c2pa-digital-source-type',
      where: 'c2pa:c2pa.actions:c2pa.created',
      value: `${IPTC}algorithmicMedia`,
    });
  });

  it('c2pa/C_with_CAWG_data.jpg: manifest with digitalCapture is reported even though it cannot be validated, no AI marker', async () => {
    const evidence = await readEvidence(readFixture('c2pa/C_with_CAWG_data.jpg'));
    expect(evidence.public.c2pa).toMatchObject({ present: true, digitalSourceType: `${IPTC}digitalCapture`, actions: ['c2pa.created'] });
    expect(typeof evidence.public.c2pa!.signatureValid).toBe('boolean');
    expect(evidence.public.aiMarkers).toEqual([]);
  });

  it('c2pa/CA.jpg is a valid manifest with edit actions; no_manifest.jpg has none', async () => {
    const withIngredient = await readEvidence(readFixture('c2pa/CA.jpg'));
    expect(withIngredient.public.c2pa).toMatchObject({ present: true, signatureValid: true });
    expect(withIngredient.public.c2pa!.actions).toContain('c2pa.opened');
    const none = await readEvidence(readFixture('c2pa/no_manifest.jpg'));
    expect(none.public.c2pa).toBeUndefined();
    expect(none.public.software).toMatch(/Photoshop/);
  });

  it('detects a tampered C2PA image as not validating', async () => {
    const bytes = Buffer.from(readFixture('c2pa/C.jpg'));
    bytes[bytes.length - 100] = bytes[bytes.length - 100]! ^ 0xff; // pixel data covered by the hard binding
    const evidence = await readEvidence(bytes);
    expect(evidence.public.c2pa).toMatchObject({ present: true, signatureValid: false });
  });

  it('camera/canon-dslr.jpg: camera facts public, serial numbers private, no marker', async () => {
    const evidence = await readEvidence(readFixture('camera/canon-dslr.jpg'));
    expect(evidence.public.camera).toEqual({ make: 'Canon', model: 'Canon EOS 1300D', lens: 'EF-S18-55mm f/3.5-5.6 III' });
    expect(evidence.public.created).toMatch(/^2019-10-26/);
    expect(evidence.public.aiMarkers).toEqual([]);
    expect(evidence.private.serialNumbers).toEqual(expect.arrayContaining(['223073000724']));
    expect(JSON.stringify(evidence.public)).not.toContain('223073000724');
  });

  it('camera/png_with_exif_and_gps.png: GPS and owner only in private evidence', async () => {
    const evidence = await readEvidence(readFixture('camera/png_with_exif_and_gps.png'));
    expect(evidence.private.gps!.latitude).toBeCloseTo(50.2996, 3);
    expect(evidence.private.gps!.longitude).toBeCloseTo(14.8203, 3);
    expect(evidence.private.ownerName).toBe('Andreas Huggel');
    const publicJson = JSON.stringify(evidence.public);
    expect(publicJson).not.toMatch(/50\.29|14\.82|latitude|longitude|Huggel/i);
    expect(evidence.public.camera?.model).toBe('Canon PowerShot S40');
  });

  it('camera/iptc-staff-photographer-example.jpg: IPTC creator and rights', async () => {
    const evidence = await readEvidence(readFixture('camera/iptc-staff-photographer-example.jpg'));
    expect(evidence.public.creator).toBe('John Doe');
    expect(evidence.public.rights).toMatch(/Big Newspaper/);
  });

  it('ai-markers/comfyui-sdxl-simple-example.png: a real ComfyUI output, flagged by its prompt and workflow chunks', async () => {
    const bytes = readFixture('ai-markers/comfyui-sdxl-simple-example.png');
    expect(readPngTextChunks(bytes).map((c) => c.keyword)).toEqual(['prompt', 'workflow']);
    const evidence = await readEvidence(bytes);
    expect(evidence.public.aiMarkers.map((m) => [m.kind, m.where])).toEqual([
      ['generator-parameters', 'png:tEXt:prompt'],
      ['generator-parameters', 'png:tEXt:workflow'],
    ]);
    expect(evidence.public.aiMarkers[0]!.value).toContain('sd_xl_base_1.0');
    expect(evidence.public.aiMarkers[1]!.value).toContain('"nodes"');
  });

  it('ai-markers/comfyui_sdxl.png: a screenshot despite its name (only XMP, no prompt/workflow), so no markers', async () => {
    // A macOS screenshot of ComfyUI: its only text chunk is XML:com.adobe.xmp.
    const bytes = readFixture('ai-markers/comfyui_sdxl.png');
    expect(readPngTextChunks(bytes).map((c) => c.keyword)).toEqual(['XML:com.adobe.xmp']);
    const evidence = await readEvidence(bytes);
    expect(evidence.public.aiMarkers).toEqual([]);
  });

  it('repairs UTF-8 IPTC text that was decoded as Latin-1', async () => {
    const evidence = await readEvidence(readFixture('bad/RangeError_Invalid_typed_array_length.jpg'));
    expect(evidence.public.creator).toBe('Óscar Cañas');
    expect(repairMojibake('plain ascii')).toBe('plain ascii');
    expect(repairMojibake('Ãscar')).toBe('Ãscar'); // not valid UTF-8 once re-encoded: left alone
  });

  it('never throws on any bad/ file, and never on garbage', async () => {
    for (const name of [
      'RangeError_Invalid_typed_array_length.jpg',
      'RangeError_Offset_outside_bounds.jpg',
      'broken1.jpg',
      'heic-single.heic',
      'invalid-iCCP-missing-adler32-checksum.png',
      'issue-exifr-41-Error_Segment_Unreachable.jpg',
    ]) {
      const evidence = await readEvidence(readFixture(`bad/${name}`));
      expect(evidence.public.aiMarkers, name).toBeInstanceOf(Array);
    }
    for (const junk of [
      Buffer.alloc(0),
      Buffer.from('not an image'),
      Buffer.from([0xff, 0xd8, 0xff, 0xe1, 0xff, 0xff, 0x45, 0x78]),
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 99, 0x74, 0x45, 0x58, 0x74]),
    ]) {
      await expect(readEvidence(junk)).resolves.toMatchObject({ public: { aiMarkers: [] } });
    }
  });
});

describe('AI markers in generated files', () => {
  let png: Buffer;
  beforeAll(async () => {
    png = await painting(64, 48).png().toBuffer();
  });

  it('A1111 "parameters" tEXt', async () => {
    const evidence = await readEvidence(withPngChunks(png, tEXt('parameters', A1111)));
    expect(evidence.public.aiMarkers).toEqual([
      { kind: 'generator-parameters', where: 'png:tEXt:parameters', value: expect.stringContaining('Steps: 28') },
    ]);
  });

  it('ComfyUI prompt and workflow, in compressed zTXt and iTXt (which exifr skips)', async () => {
    const prompt = JSON.stringify({ 3: { class_type: 'KSampler', inputs: { seed: 5, steps: 20 } } });
    const workflow = JSON.stringify({ nodes: [{ id: 1, type: 'CheckpointLoaderSimple' }] });
    const bytes = withPngChunks(png, zTXt('prompt', prompt), iTXt('workflow', workflow, true), iTXt('Dream', '"a cat" -s 50', false));
    const chunks = readPngTextChunks(bytes);
    expect(chunks).toEqual([
      { type: 'zTXt', keyword: 'prompt', text: prompt, compressed: true },
      { type: 'iTXt', keyword: 'workflow', text: workflow, compressed: true },
      { type: 'iTXt', keyword: 'Dream', text: '"a cat" -s 50', compressed: false },
    ]);
    const evidence = await readEvidence(bytes);
    expect(evidence.public.aiMarkers.map((m) => m.where)).toEqual(['png:zTXt:prompt', 'png:iTXt:workflow', 'png:iTXt:Dream']);
    expect(evidence.public.aiMarkers[0]!.value).toContain('KSampler');
  });

  it('sd-metadata and negative_prompt keys; ordinary keys are not markers', async () => {
    const evidence = await readEvidence(
      withPngChunks(
        png,
        tEXt('sd-metadata', '{"model":"stable diffusion"}'),
        tEXt('negative_prompt', 'ugly'),
        tEXt('Title', 'My painting'),
        tEXt('Comment', 'oil on canvas'),
      ),
    );
    expect(evidence.public.aiMarkers.map((m) => m.where)).toEqual(['png:tEXt:sd-metadata', 'png:tEXt:negative_prompt']);
  });

  it('truncates long marker values', async () => {
    const evidence = await readEvidence(withPngChunks(png, tEXt('parameters', 'x'.repeat(10_000))));
    expect(evidence.public.aiMarkers[0]!.value.length).toBeLessThanOrEqual(300);
  });

  it('a zTXt bomb is capped: the keyword still counts, memory does not explode', async () => {
    const bomb = zTXt('parameters', Buffer.alloc(MAX_INFLATED_TEXT_BYTES * 4, 0x41));
    expect(bomb.length).toBeLessThan(100_000);
    const started = performance.now();
    const evidence = await readEvidence(withPngChunks(png, bomb));
    expect(performance.now() - started).toBeLessThan(2000);
    expect(evidence.public.aiMarkers).toEqual([
      { kind: 'generator-parameters', where: 'png:zTXt:parameters', value: '(compressed parameters)' },
    ]);
  });

  it('Midjourney Job ID in a PNG Description, Software naming a generator', async () => {
    const bytes = withPngChunks(
      png,
      tEXt('Description', 'a castle --ar 3:2 --v 6 Job ID: 1c9a7b2e-3f4d-4e5a-9b8c-7d6e5f4a3b2c'),
      tEXt('Software', 'Midjourney'),
    );
    const evidence = await readEvidence(bytes);
    expect(evidence.public.aiMarkers).toEqual(
      expect.arrayContaining([
        { kind: 'midjourney-job-id', where: 'png:tEXt:Description', value: '1c9a7b2e-3f4d-4e5a-9b8c-7d6e5f4a3b2c' },
        { kind: 'generator-software', where: 'png:tEXt:Software', value: 'Midjourney' },
      ]),
    );
  });

  it('EXIF Software naming a generator (JPEG and WebP)', async () => {
    for (const encode of [(s: Sharp) => s.jpeg(), (s: Sharp) => s.webp()]) {
      const bytes = await encode(painting(64, 48).withExif({ IFD0: { Software: 'DALL-E 3' } })).toBuffer();
      const evidence = await readEvidence(bytes);
      expect(evidence.public.software).toBe('DALL-E 3');
      expect(evidence.public.aiMarkers).toContainEqual({ kind: 'generator-software', where: 'ifd0:Software', value: 'DALL-E 3' });
    }
    const human = await readEvidence(
      await painting(64, 48)
        .withExif({ IFD0: { Software: 'Krita 5.2' } })
        .jpeg()
        .toBuffer(),
    );
    expect(human.public.software).toBe('Krita 5.2');
    expect(human.public.aiMarkers).toEqual([]);
  });

  it('EXIF UserComment with "Steps:" (A1111 JPEG), ASCII and UTF-16 forms', async () => {
    const bytes = await painting(64, 48)
      .withExif({ IFD2: { UserComment: A1111 } })
      .jpeg()
      .toBuffer();
    const evidence = await readEvidence(bytes);
    expect(evidence.public.aiMarkers).toContainEqual({
      kind: 'generator-parameters',
      where: 'exif:UserComment',
      value: expect.stringContaining('Steps: 28'),
    });
    const utf16be = Buffer.concat([Buffer.from('UNICODE\0', 'latin1'), Buffer.from('Steps: 20', 'utf16le').swap16()]);
    expect(decodeUserComment(new Uint8Array(utf16be))).toBe('Steps: 20');
    const utf16le = Buffer.concat([Buffer.from('UNICODE\0', 'latin1'), Buffer.from('Steps: 20', 'utf16le')]);
    expect(decodeUserComment(new Uint8Array(utf16le))).toBe('Steps: 20');
    expect(decodeUserComment(new Uint8Array(Buffer.from('ASCII\0\0\0Steps: 9', 'latin1')))).toBe('Steps: 9');
  });

  it('XMP DigitalSourceType with an AI term is a marker; a human term is only reported', async () => {
    const ai = await readEvidence(
      await painting(64, 48)
        .jpeg()
        .withXmp(xmpPacket(`${IPTC}trainedAlgorithmicMedia`))
        .toBuffer(),
    );
    expect(ai.public.digitalSourceType).toBe(`${IPTC}trainedAlgorithmicMedia`);
    expect(ai.public.aiMarkers).toEqual([
      { kind: 'digital-source-type', where: 'xmp:Iptc4xmpExt:DigitalSourceType', value: `${IPTC}trainedAlgorithmicMedia` },
    ]);
    const human = await readEvidence(
      await painting(64, 48)
        .jpeg()
        .withXmp(xmpPacket(`${IPTC}digitalCreation`))
        .toBuffer(),
    );
    expect(human.public.digitalSourceType).toBe(`${IPTC}digitalCreation`);
    expect(human.public.aiMarkers).toEqual([]);
    // XMP inside a compressed iTXt chunk of a PNG (exifr does not inflate it)
    const inPng = await readEvidence(withPngChunks(png, iTXt('XML:com.adobe.xmp', xmpPacket(`${IPTC}compositeSynthetic`), true)));
    expect(inPng.public.aiMarkers.map((m) => m.value)).toEqual([`${IPTC}compositeSynthetic`]);
  });

  it("reads XMP from a JPEG's APP1 segment, not from bytes after the start of scan", async () => {
    const jpeg = await painting(64, 48).jpeg().toBuffer();
    const sos = jpegHeaderLength(jpeg)!;
    expect(jpeg.readUInt16BE(sos)).toBe(0xffda);
    expect(jpegHeaderLength(Buffer.from('not a jpeg'))).toBeUndefined();
    const trailing = Buffer.concat([jpeg, Buffer.from(xmpPacket(`${IPTC}trainedAlgorithmicMedia`))]);
    expect(findXmpPackets(trailing)).toEqual([]);
    const inApp1 = await painting(64, 48)
      .jpeg()
      .withXmp(xmpPacket(`${IPTC}digitalCreation`))
      .toBuffer();
    expect(findXmpPackets(inApp1)).toHaveLength(1);
    // Any other container is searched whole.
    expect(findXmpPackets(Buffer.concat([Buffer.from('RIFF....WEBP'), Buffer.from(xmpPacket('x'))]))).toHaveLength(1);
  });

  it('classifies source-type terms and parses both XMP forms', () => {
    expect(isAiSourceType(`${IPTC}trainedAlgorithmicMedia`)).toBe(true);
    expect(isAiSourceType('compositeWithTrainedAlgorithmicMedia')).toBe(true);
    expect(isAiSourceType(`${IPTC}digitalCapture`)).toBe(false);
    expect(isAiSourceType(`${IPTC}minorHumanEdits`)).toBe(false);
    expect(xmpDigitalSourceTypes('<Iptc4xmpExt:DigitalSourceType>http://x/algorithmicMedia</Iptc4xmpExt:DigitalSourceType>')).toEqual([
      'http://x/algorithmicMedia',
    ]);
    expect(xmpDigitalSourceTypes(`Iptc4xmpExt:DigitalSourceType='abc'`)).toEqual(['abc']);
  });

  it('GPS written into a JPEG stays private; the ingest path returns both parts', async () => {
    const bytes = await painting(64, 48)
      .withExif({
        IFD0: { Make: 'Fujifilm', Model: 'X-T5' },
        IFD2: { BodySerialNumber: 'SN-998877', CameraOwnerName: 'Jane Private' },
        IFD3: { GPSLatitudeRef: 'S', GPSLatitude: '33/1 52/1 0/1', GPSLongitudeRef: 'E', GPSLongitude: '151/1 12/1 0/1' },
      })
      .jpeg()
      .toBuffer();
    const { evidence, fingerprint } = await new Ingest(new InlineParsers(), { maxBytes: 1e7, maxPixels: 1e7 }).analyze(bytes, {
      thumbnail: false,
      metadata: 'required',
    });
    expect(fingerprint.format).toBe('jpeg');
    expect(evidence.public.camera).toMatchObject({ make: 'Fujifilm', model: 'X-T5' });
    expect(evidence.private.gps!.latitude).toBeCloseTo(-33.8667, 3);
    expect(evidence.private.serialNumbers).toEqual(['SN-998877']);
    expect(evidence.private.ownerName).toBe('Jane Private');
    expect(JSON.stringify(evidence.public)).not.toMatch(/SN-998877|Jane|33\.86|151\.2/);
  });
});
