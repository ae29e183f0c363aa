/** Reading the zips `serverless package` writes (yauzl). */
import type { Readable } from 'node:stream';

interface ZipEntry {
  fileName: string;
}
interface ZipFile {
  on(event: 'entry', listener: (entry: ZipEntry) => void): void;
  on(event: 'end' | 'error', listener: (arg?: unknown) => void): void;
  readEntry(): void;
  openReadStream(entry: ZipEntry, callback: (err: Error | null, stream: Readable) => void): void;
}
const yauzl = require('yauzl') as { open(path: string, options: { lazyEntries: boolean }, callback: (err: Error | null, zip: ZipFile) => void): void };

/** Every file of the zip at `path`: name → content. */
export function zipFiles(path: string): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      const files = new Map<string, Buffer>();
      zip.on('entry', (entry) => {
        if (entry.fileName.endsWith('/')) return zip.readEntry();
        zip.openReadStream(entry, (openErr, stream) => {
          if (openErr) return reject(openErr);
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('error', reject);
          stream.on('end', () => {
            files.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(files));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

/** The file names of the zip at `path` (directories left out). */
export async function zipEntries(path: string): Promise<string[]> {
  return [...(await zipFiles(path)).keys()];
}
