import sharp from 'sharp';

/** A deterministic pseudo-random generator (mulberry32) so generated works are reproducible. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An SVG composition of shapes and gradients: distinct per seed, structured like a painting rather than noise. */
export function artworkSvg(seed: number, width = 800, height = 600, stage = 1): string {
  const r = rng(seed);
  const hue = Math.floor(r() * 360);
  const colour = (l: number) => `hsl(${(hue + Math.floor(r() * 120)) % 360},${40 + Math.floor(r() * 50)}%,${l}%)`;
  const shapes: string[] = [];
  const count = 6 + Math.floor(r() * 10);
  for (let i = 0; i < count; i++) {
    const x = r() * width;
    const y = r() * height;
    const size = 40 + r() * Math.min(width, height) * 0.45;
    const fill = colour(20 + Math.floor(r() * 60));
    const kind = r();
    const shape =
      kind < 0.4
        ? `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="${(size / 2).toFixed(1)}" fill="${fill}"/>`
        : kind < 0.8
          ? `<rect x="${(x - size / 2).toFixed(1)}" y="${(y - size / 3).toFixed(1)}" width="${size.toFixed(1)}" height="${((size * 2) / 3).toFixed(1)}" fill="${fill}" transform="rotate(${Math.floor(r() * 90)} ${x.toFixed(1)} ${y.toFixed(1)})"/>`
          : `<polygon points="${x.toFixed(1)},${(y - size / 2).toFixed(1)} ${(x + size / 2).toFixed(1)},${(y + size / 2).toFixed(1)} ${(x - size / 2).toFixed(1)},${(y + size / 2).toFixed(1)}" fill="${fill}"/>`;
    // Work-in-progress stages show only the first shapes: the painting "grows".
    if (i < Math.ceil((count * stage) / 1)) shapes.push(shape);
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="${colour(85)}"/><stop offset="1" stop-color="${colour(35)}"/></linearGradient></defs>
<rect width="100%" height="100%" fill="url(#g)"/>${shapes.join('')}</svg>`;
}

/** Renders a generated artwork; `stage` < 1 gives a work-in-progress version with fewer shapes. */
export async function renderArtwork(
  seed: number,
  options: { width?: number; height?: number; format?: 'png' | 'jpeg'; stage?: number } = {},
): Promise<Buffer> {
  const svg = artworkSvg(seed, options.width ?? 800, options.height ?? 600, options.stage ?? 1);
  const image = sharp(Buffer.from(svg));
  return options.format === 'jpeg' ? image.jpeg({ quality: 92 }).toBuffer() : image.png().toBuffer();
}
