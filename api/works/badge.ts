import textWidth from 'anafanafo';

/** The attesting organisation the badge names: the one that raises the level, else the first that attested. */
export interface BadgeWitness {
  handle: string;
  verified: boolean;
  /** When the operator verified it (ISO 8601), for a verified organisation. */
  since?: string | undefined;
}

export interface BadgeInput {
  title: string;
  artist: string;
  levelName: string;
  level: number;
  revoked: boolean;
  disputed: boolean;
  witness?: BadgeWitness | undefined;
}

const PADDING = 12;
const FONT = 'Verdana,DejaVu Sans,system-ui,sans-serif';

/** The badge's lines. Only a standing registration (level ≥ 1) is called human-made. */
export function badgeText(b: BadgeInput): { status: string; detail: string; witness?: string } {
  const status = b.revoked
    ? 'Aura · registration revoked'
    : b.level >= 1
      ? `Aura · human-made · level ${b.level} · ${b.levelName}`
      : `Aura · level 0 · ${b.levelName}`;
  const detail = `${truncate(b.title, 38)} — @${truncate(b.artist, 24)}${b.disputed ? ' · disputed' : ''}`;
  const w = b.witness;
  if (!w) return { status, detail };
  const standing = w.verified ? `verified organisation${w.since ? ` since ${w.since.slice(0, 10)}` : ''}` : 'unverified organisation';
  return { status, detail, witness: `attested by @${truncate(w.handle, 24)} · ${standing}` };
}

/**
 * Widths from Verdana's metrics (anafanafo, the tables shields.io uses); `textLength` holds each line to
 * exactly that width whatever font the viewer has, so the badge is as wide as its longest line and never clips.
 */
const statusWidth = (s: string) => Math.ceil(textWidth(s, { font: 'bold 10px Verdana' }) * 1.3);
const detailWidth = (s: string) => Math.ceil(textWidth(s, { font: '11px Verdana' }) * (12 / 11));
const witnessWidth = (s: string) => Math.ceil(textWidth(s, { font: '11px Verdana' }));

/** An embeddable SVG badge; every text is escaped, so a hostile title cannot inject markup. */
export function renderBadge(b: BadgeInput): string {
  const { status, detail, witness } = badgeText(b);
  const colour = b.revoked ? '#8a1c1c' : b.level >= 3 ? '#1f6f43' : b.level >= 1 ? '#7a3e12' : '#555';
  const [w1, w2, w3] = [statusWidth(status), detailWidth(detail), witness ? witnessWidth(witness) : 0];
  const width = Math.max(w1, w2, w3) + 2 * PADDING;
  const height = witness ? 74 : 56;
  const label = `${status}. ${detail}${witness ? `. ${witness}` : ''}`;
  const witnessLine = witness
    ? `\n<text x="${PADDING}" y="62" textLength="${w3}" lengthAdjust="spacingAndGlyphs" font-family="${FONT}" font-size="11" fill="#1d1b18">${esc(witness)}</text>`
    : '';
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(label)}">
<rect x="0.5" y="0.5" width="${width - 1}" height="${height - 1}" rx="6" fill="#faf8f4" stroke="${colour}"/>
<text x="${PADDING}" y="22" textLength="${w1}" lengthAdjust="spacingAndGlyphs" font-family="${FONT}" font-size="13" font-weight="700" fill="${colour}">${esc(status)}</text>
<text x="${PADDING}" y="42" textLength="${w2}" lengthAdjust="spacingAndGlyphs" font-family="${FONT}" font-size="12" fill="#1d1b18">${esc(detail)}</text>${witnessLine}
</svg>`;
}

const truncate = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
