/** The attesting organisation the badge names: the one that raises the level, else the first that attested. */
export interface BadgeWitness {
  handle: string;
  verified: boolean;
  /** When the operator verified it (ISO 8601), for a verified organisation. */
  since?: string | undefined;
}

/** An embeddable SVG badge; every text is escaped, so a hostile title cannot inject markup. */
export function renderBadge(b: { title: string; artist: string; levelName: string; level: number; revoked: boolean; disputed: boolean; witness?: BadgeWitness | undefined }): string {
  const status = b.revoked ? 'revoked' : `level ${b.level} · ${b.levelName}`;
  const colour = b.revoked ? '#8a1c1c' : b.level >= 3 ? '#1f6f43' : b.level >= 1 ? '#7a3e12' : '#555';
  const line2 = `${truncate(b.title, 38)} — @${truncate(b.artist, 24)}${b.disputed ? ' · disputed' : ''}`;
  const w = b.witness;
  const line3 = w
    ? `attested by @${truncate(w.handle, 24)} · ${w.verified ? `verified organisation${w.since ? ` since ${w.since.slice(0, 10)}` : ''}` : 'unverified organisation'}`
    : undefined;
  const height = line3 ? 74 : 56;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="320" height="${height}" role="img" aria-label="${esc(`Aura: ${status}. ${line2}${line3 ? `. ${line3}` : ''}`)}">
<rect width="320" height="${height}" rx="6" fill="#faf8f4" stroke="${colour}"/>
<text x="12" y="22" font-family="system-ui,sans-serif" font-size="13" font-weight="700" fill="${colour}">Aura · human-made · ${esc(status)}</text>
<text x="12" y="42" font-family="system-ui,sans-serif" font-size="12" fill="#1d1b18">${esc(line2)}</text>${
    line3 ? `\n<text x="12" y="62" font-family="system-ui,sans-serif" font-size="11" fill="#1d1b18">${esc(line3)}</text>` : ''
  }
</svg>`;
}

const truncate = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
