/** An embeddable SVG badge; every text is escaped, so a hostile title cannot inject markup. */
export function renderBadge(b: { title: string; artist: string; levelName: string; level: number; revoked: boolean; disputed: boolean }): string {
  const status = b.revoked ? 'revoked' : `level ${b.level} · ${b.levelName}`;
  const colour = b.revoked ? '#8a1c1c' : b.level >= 3 ? '#1f6f43' : b.level >= 1 ? '#7a3e12' : '#555';
  const line2 = `${truncate(b.title, 38)} — @${truncate(b.artist, 24)}${b.disputed ? ' · disputed' : ''}`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="320" height="56" role="img" aria-label="${esc(`Aura: ${status}. ${line2}`)}">
<rect width="320" height="56" rx="6" fill="#faf8f4" stroke="${colour}"/>
<text x="12" y="22" font-family="system-ui,sans-serif" font-size="13" font-weight="700" fill="${colour}">Aura · human-made · ${esc(status)}</text>
<text x="12" y="42" font-family="system-ui,sans-serif" font-size="12" fill="#1d1b18">${esc(line2)}</text>
</svg>`;
}

const truncate = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
