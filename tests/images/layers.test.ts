import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/** The ingest layers (docs/ingest.md, "Layers"), checked on the import statements of api/. */
const API = path.resolve(import.meta.dirname, '../../api');
const MEDIA_LIBRARIES = ['sharp', 'exifr', 'image-size'];

interface SourceFile {
  /** Path from api/, e.g. 'images/decode.ts'. */
  name: string;
  /** What it imports: package names as written, relative imports as paths from api/. */
  imports: string[];
}

function sourceFiles(dir = API): SourceFile[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    if (!/\.(ts|cjs|mjs)$/.test(entry.name)) return [];
    return [{ name: path.relative(API, full), imports: importsOf(full) }];
  });
}

function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const pattern = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^import\s+)['"]([^'"]+)['"]/gm;
  return [...text.matchAll(pattern)].map(([, specifier]) =>
    specifier!.startsWith('.') ? path.relative(API, path.resolve(path.dirname(file), specifier!)) : specifier!,
  );
}

const folderOf = (name: string) => name.split(path.sep)[0];
const files = sourceFiles();
const importersOf = (test: (specifier: string) => boolean) => files.filter((f) => f.imports.some(test)).map((f) => f.name);
const importsFrom = (folder: string, from: string[]) =>
  files
    .filter((f) => folderOf(f.name) === folder)
    .flatMap((f) => f.imports.filter((i) => from.includes(folderOf(i)!)).map((i) => `${f.name} → ${i}`));

describe('ingest layers', () => {
  it('finds the modules it checks', () => {
    expect(files.map((f) => f.name)).toEqual(
      expect.arrayContaining(['images/decode.ts', 'evidence/metadata.ts', 'uploads/ingest.ts', 'media/sharp.ts']),
    );
    expect(importersOf((i) => i === 'sharp')).toContain(path.join('media', 'sharp.ts'));
  });

  it('only api/media imports sharp, exifr and image-size', () => {
    const outside = importersOf((i) => MEDIA_LIBRARIES.some((lib) => i === lib || i.startsWith(`${lib}/`))).filter(
      (name) => folderOf(name) !== 'media',
    );
    expect(outside).toEqual([]);
  });

  it('api/media wraps the libraries and imports nothing else from api/', () => {
    expect(files.filter((f) => folderOf(f.name) === 'media').flatMap((f) => f.imports.filter((i) => !MEDIA_LIBRARIES.includes(i)))).toEqual(
      [],
    );
  });

  it('images/ and evidence/ know nothing of each other or of the uploads layer above them', () => {
    expect(importsFrom('images', ['evidence', 'uploads'])).toEqual([]);
    expect(importsFrom('evidence', ['images', 'uploads'])).toEqual([]);
  });
});
