import type { z } from 'zod';
import type { verificationReportSchema } from '../../api/verify/schemas.ts';

/** A human-readable verification report for the terminal. */
export function formatReport(report: z.output<typeof verificationReportSchema>): string {
  const lines = [`sha256 ${report.sha256}`, `pdq    ${report.pdq} (quality ${report.pdqQuality})`];
  const markers = report.evidence?.aiMarkers ?? [];
  if (markers.length) lines.push(`AI markers in this file: ${markers.map((m) => `${m.kind} (${m.where})`).join('; ')}`);
  if (!report.matches.length) {
    lines.push(
      '',
      'No registered work matches this image.',
      'That does not mean it was machine-made: only that no artist has registered it here.',
    );
    return lines.join('\n');
  }
  for (const m of report.matches) {
    lines.push(
      '',
      `${m.revoked ? '[REVOKED] ' : ''}"${m.work.title}" by ${m.work.artist.displayName} (@${m.work.artist.handle})`,
      `  ${m.exact ? 'exact file' : `${m.verdict} image, distance ${m.distance}/256 (${m.transform})`}`,
      `  evidence level ${m.evidenceLevel.level} – ${m.evidenceLevel.name}: ${m.evidenceLevel.explanation}`,
      `  signature ${m.signature.valid ? 'valid' : 'NOT valid'} (key ${m.signature.kid}), log index ${m.logIndex}`,
      ...m.attestations.map(
        (a) =>
          `  ${a.valid ? '✓' : '✗'} ${a.type} by @${a.issuer.handle}${a.status === 'revoked' ? ' (revoked)' : ''}` +
          (a.issuer.verified
            ? ` — verified organisation since ${String(a.issuer.verification?.since).slice(0, 10)}, by the registry's operator`
            : ` — ${a.issuer.label ?? 'unverified organisation'}: does not raise the level`),
      ),
      ...m.disputes.map((d) => `  ! disputed (${d.reason}) by @${d.filedBy.handle}: ${d.text}`),
      `  ${m.work.url}`,
    );
  }
  return lines.join('\n');
}
