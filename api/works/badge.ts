import textWidth from 'anafanafo';

export interface BadgeInput {
  title: string;
  artist: string;
  levelName: string;
  level: number;
  revoked: boolean;
  disputed: boolean;
}

const PADDING = 12;
const HEIGHT = 56;
const FONT = 'Verdana,DejaVu Sans,system-ui,sans-serif';

/** The badge's two lines. Only a standing registration (level ≥ 1) is called human-made. */
export function badgeText(b: BadgeInput): { status: string; detail: string } {
  const status = b.revoked ? 'Aura · registration revoked' : b.level >= 1 ? `Aura · human-made · level ${b.level} · ${b.levelName}` : `Aura · level 0 · ${b.levelName}`;
  const detail = `${truncate(b.title, 38)} — @${truncate(b.artist, 24)}${b.disputed ? ' · disputed' : ''}`;
  return { status, detail };
}

/**
 * Widths from Verdana's metrics (anafanafo, the tables shields.io uses); `textLength` holds each line to
 * exactly that width whatever font the viewer has, so the badge is as wide as its longest line and never clips.
 */
const statusWidth = (s: string) => Math.ceil(textWidth(s, { font: 'bold 10px Verdana' }) * 1.3);
const detailWidth = (s: string) => Math.ceil(textWidth(s, { font: '11px Verdana' }) * (12 / 11));

/** An embeddable SVG badge; every text is escaped, so a hostile title cannot inject markup. */
export function renderBadge(b: BadgeInput): string {
  const { status, detail } = badgeText(b);
  const colour = b.revoked ? '#8a1c1c' : b.level >= 3 ? '#1f6f43' : b.level >= 1 ? '#7a3e12' : '#555';
  const [w1, w2] = [statusWidth(status), detailWidth(detail)];
  const width = Math.max(w1, w2) + 2 * PADDING;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${HEIGHT}" viewBox="0 0 ${width} ${HEIGHT}" role="img" aria-label="${esc(`${status}. ${detail}`)}">
<rect x="0.5" y="0.5" width="${width - 1}" height="${HEIGHT - 1}" rx="6" fill="#faf8f4" stroke="${colour}"/>
<text x="${PADDING}" y="22" textLength="${w1}" lengthAdjust="spacingAndGlyphs" font-family="${FONT}" font-size="13" font-weight="700" fill="${colour}">${esc(status)}</text>
<text x="${PADDING}" y="42" textLength="${w2}" lengthAdjust="spacingAndGlyphs" font-family="${FONT}" font-size="12" fill="#1d1b18">${esc(detail)}</text>
</svg>`;
}

const truncate = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
