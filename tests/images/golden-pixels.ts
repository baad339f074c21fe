/**
 * Pixel buffers for the golden-hash test, made with integer arithmetic only (no decoder, no Math.sin), so
 * that the same bytes come out on every machine and with every version of sharp.
 */
export interface GoldenInput {
  name: string;
  pixels: { data: Buffer; width: number; height: number; channels: 1 | 3 | 4 };
}

export function goldenInputs(): GoldenInput[] {
  return [
    { name: 'rgb 512×384', pixels: discs(512, 384, 3, 1) },
    { name: 'rgb 333×201 (odd sides)', pixels: discs(333, 201, 3, 2) },
    { name: 'rgb 384×512 letterboxed', pixels: letterboxed(discs(384, 400, 3, 3), 512) },
    { name: 'grey 300×500', pixels: discs(300, 500, 1, 4) },
    { name: 'rgba 256×256 cut-out', pixels: cutOut(discs(256, 256, 3, 5)) },
    { name: 'rgb 64×64', pixels: discs(64, 64, 3, 6) },
    { name: 'rgb 40×700 (thin)', pixels: discs(40, 700, 3, 7) },
  ];
}

/** Gradients under a dozen coloured discs, with a little noise: structure at every scale. */
function discs(width: number, height: number, channels: 1 | 3, seed: number): GoldenInput['pixels'] {
  const next = xorshift(seed);
  const shapes = Array.from({ length: 12 }, () => ({
    x: next() % width,
    y: next() % height,
    r2: (4 + (next() % Math.max(1, width >> 2))) ** 2,
    colour: [next() & 255, next() & 255, next() & 255],
  }));
  const data = Buffer.alloc(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let rgb = [((x * 255) / width) | 0, ((y * 255) / height) | 0, (((x + y) * 127) / (width + height)) | 0];
      for (const s of shapes) if ((x - s.x) ** 2 + (y - s.y) ** 2 < s.r2) rgb = s.colour;
      const o = (y * width + x) * channels;
      const noise = (next() & 15) - 8;
      if (channels === 1) data[o] = clampByte(((rgb[0]! * 77 + rgb[1]! * 150 + rgb[2]! * 29) >> 8) + noise);
      else for (let c = 0; c < 3; c++) data[o + c] = clampByte(rgb[c]! + noise);
    }
  }
  return { data, width, height, channels };
}

/** The picture centred between flat bars, `height` tall in all. */
function letterboxed(inner: GoldenInput['pixels'], height: number): GoldenInput['pixels'] {
  const { width, channels } = inner;
  const data = Buffer.alloc(width * height * channels, 18);
  inner.data.copy(data, ((height - inner.height) >> 1) * width * channels);
  return { data, width, height, channels };
}

/** RGBA: the picture inside an ellipse, transparent around it. */
function cutOut(rgb: GoldenInput['pixels']): GoldenInput['pixels'] {
  const { width, height } = rgb;
  const data = Buffer.alloc(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const x = i % width;
    const y = (i / width) | 0;
    rgb.data.copy(data, i * 4, i * 3, i * 3 + 3);
    data[i * 4 + 3] = ((x - width / 2) / (width * 0.42)) ** 2 + ((y - height / 2) / (height * 0.42)) ** 2 < 1 ? 255 : 0;
  }
  return { data, width, height, channels: 4 };
}

function xorshift(seed: number): () => number {
  let state = (seed * 2654435761) >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state;
  };
}

const clampByte = (n: number) => Math.max(0, Math.min(255, n));
