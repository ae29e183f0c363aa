import { ByteSplitter, createSegmenter, TextSplitter, type Segmenter } from '../../../../lib/connectors/http-source/splitter';
import { byteChunks, expectedSegments, randomChunks, randomText, seededRandom } from './chunking';

/** Feeds chunks, ends the body, and returns every segment as text (bytes decoded as UTF-8). */
function splitAll(segmenter: Segmenter, chunks: readonly Uint8Array[]): string[] {
  const out: Array<Uint8Array | string> = [];
  for (const chunk of chunks) out.push(...segmenter.push(chunk));
  out.push(...segmenter.end());
  return out.map((s) => (typeof s === 'string' ? s : Buffer.from(s).toString('utf8')));
}

describe('connectors/http-source/splitter', () => {
  describe('ByteSplitter', () => {
    it('should return the segments a chunk completes, without the delimiter', () => {
      // Prepare
      const splitter = new ByteSplitter(Buffer.from('\n'));
      // Act
      const segments = splitter.push(Buffer.from('a\nbb\ncc'));
      // Assess
      expect(segments.map((s) => Buffer.from(s).toString())).toEqual(['a', 'bb']);
      expect(splitter.pendingBytes).toBe(2);
      expect(Buffer.from(splitter.flush()).toString()).toBe('cc');
      expect(splitter.pendingBytes).toBe(0);
    });

    it('should keep empty segments between consecutive delimiters', () => {
      const splitter = new ByteSplitter(Buffer.from('\n'));
      const segments = splitter.push(Buffer.from('\n\na\n\n'));
      expect(segments.map((s) => Buffer.from(s).toString())).toEqual(['', '', 'a', '']);
    });

    it('should find a multi-byte delimiter split over several chunks', () => {
      const splitter = new ByteSplitter(Buffer.from('<END>'));
      const out = [
        ...splitter.push(Buffer.from('one<E')),
        ...splitter.push(Buffer.from('N')),
        ...splitter.push(Buffer.from('D>two<')),
        ...splitter.push(Buffer.from('END>')),
      ];
      expect(out.map((s) => Buffer.from(s).toString())).toEqual(['one', 'two']);
      expect(splitter.pendingBytes).toBe(0);
    });

    it('should split a self-overlapping delimiter left to right like String#split', () => {
      const splitter = new ByteSplitter(Buffer.from('aa'));
      const out = byteChunks(Buffer.from('aaaba')).flatMap((c) => splitter.push(c));
      expect([...out.map((s) => Buffer.from(s).toString()), Buffer.from(splitter.flush()).toString()]).toEqual('aaaba'.split('aa'));
    });

    it('should reject an empty delimiter', () => {
      expect(() => new ByteSplitter(new Uint8Array(0))).toThrow(RangeError);
    });
  });

  describe('TextSplitter', () => {
    it('should find a delimiter straddling two pushes', () => {
      const splitter = new TextSplitter('\n\n');
      const out = [...splitter.push('a\n'), ...splitter.push('\nb\n'), ...splitter.push('\nc')];
      expect(out).toEqual(['a', 'b']);
      expect(splitter.pendingText).toBe('c');
      expect(splitter.flush()).toBe('c');
    });
  });

  describe('createSegmenter', () => {
    // Alphabets that make delimiters, their prefixes and multi-byte characters frequent.
    const cases = [
      { name: 'LF', delimiter: '\n', alphabet: ['a', 'b', '\n', 'é'] },
      { name: 'LF LF', delimiter: '\n\n', alphabet: ['x', '\n', '\n\n', 'ü'] },
      { name: 'aba (self-overlapping)', delimiter: 'aba', alphabet: ['a', 'b', 'c'] },
      { name: '€| (multi-byte)', delimiter: '€|', alphabet: ['€', '|', 'z', '😀'] },
    ] as const;

    it.each(cases)('should split UTF-8 the same for every chunking (delimiter $name)', ({ delimiter, alphabet }) => {
      for (let seed = 1; seed <= 40; seed++) {
        // Prepare
        const random = seededRandom(seed);
        const text = randomText(random, alphabet, 200);
        const bytes = Buffer.from(text, 'utf8');
        const expected = expectedSegments(text, delimiter);
        // Act
        const oneByte = splitAll(createSegmenter(delimiter, 'utf-8'), byteChunks(bytes));
        const randomSizes = splitAll(createSegmenter(delimiter, 'utf-8'), randomChunks(bytes, random, 17));
        const whole = splitAll(createSegmenter(delimiter, 'utf-8'), [bytes]);
        // Assess
        expect({ seed, segments: oneByte }).toEqual({ seed, segments: expected });
        expect({ seed, segments: randomSizes }).toEqual({ seed, segments: expected });
        expect({ seed, segments: whole }).toEqual({ seed, segments: expected });
      }
    });

    it('should leave UTF-8 segment bytes untouched, even invalid ones', () => {
      const segmenter = createSegmenter('\n', 'utf-8');
      const segments = [...segmenter.push(Buffer.from([0xff, 0xc3])), ...segmenter.push(Buffer.from([0x0a, 0x80]))];
      expect(segments).toEqual([Buffer.from([0xff, 0xc3])]);
      expect(segmenter.end()).toEqual([Buffer.from([0x80])]);
    });

    it.each([
      { encoding: 'windows-1252', nodeEncoding: 'latin1' as const, alphabet: ['é', 'x', '\n', 'ÿ'] },
      { encoding: 'utf-16le', nodeEncoding: 'utf16le' as const, alphabet: ['é', 'x', '\n', '€', '😀'] },
    ])('should decode $encoding across chunks and split the text', ({ encoding, nodeEncoding, alphabet }) => {
      for (let seed = 1; seed <= 20; seed++) {
        const random = seededRandom(seed);
        const text = randomText(random, alphabet, 150);
        const bytes = Buffer.from(text, nodeEncoding);
        const segments = splitAll(createSegmenter('\n', encoding), randomChunks(bytes, random, 5));
        expect({ seed, segments }).toEqual({ seed, segments: expectedSegments(text, '\n') });
      }
    });

    it('should decode Shift_JIS characters cut between chunks', () => {
      // 'データ\nです' in Shift_JIS: two-byte characters, cut after every byte.
      const bytes = Buffer.from([0x83, 0x66, 0x81, 0x5b, 0x83, 0x5e, 0x0a, 0x82, 0xc5, 0x82, 0xb7]);
      const segments = splitAll(createSegmenter('\n', 'shift_jis'), byteChunks(bytes));
      expect(segments).toEqual(['データ', 'です']);
    });

    it('should report the size of the incomplete segment in bytes', () => {
      const segmenter = createSegmenter('\n', 'utf-8');
      segmenter.push(Buffer.from('done\nhalf a réc'));
      expect(segmenter.pendingBytes).toBe(Buffer.byteLength('half a réc'));
    });

    it('should not produce a final empty segment when the body ends with the delimiter', () => {
      const segmenter = createSegmenter('\n', 'utf-8');
      const segments = segmenter.push(Buffer.from('a\nb\n'));
      expect(segments).toHaveLength(2);
      expect(segmenter.end()).toEqual([]);
    });
  });
});
