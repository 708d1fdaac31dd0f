import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { categoryRows } from '../reference/categories.js';
import { jiangsuAreaRows } from '../reference/jiangsu-areas.js';
import { DOMAIN_TOPICS, STOP_WORDS } from './topic-words.js';

interface JiebaInstance {
  cut(sentence: string, hmm?: boolean | null): string[];
}
interface JiebaModule {
  Jieba: { withDict(dict: Uint8Array): JiebaInstance };
}

// @node-rs/jieba is CommonJS without an exports map; its dictionary is `dict.txt` beside it.
const require = createRequire(import.meta.url);

/** Part-of-speech tags (jieba's dictionary) a keyword may have: common nouns, verbal nouns, organisations. */
const KEPT_TAGS = new Set(['n', 'vn', 'nt', 'nw', 'an']);
/** Most keywords kept per case, in order of first mention. */
export const MAX_KEYWORDS_PER_CASE = 8;
const CJK_WORD = /^[\u4e00-\u9fff]{2,8}$/;
const PLACEHOLDER = /\[[^\]]{0,8}\]/g;

/**
 * Keywords of a (scrubbed) request text for the hot-topics dimension: the text is segmented with
 * jieba (`@node-rs/jieba`, the Rust port, prebuilt per platform) in dictionary-only mode (no HMM,
 * so unknown words such as most personal names fall apart into single characters and are
 * dropped), then only dictionary nouns of 2-8 Chinese characters are kept, minus stop words and
 * hotline boilerplate. Place names (dictionary tag `ns`, and every Jiangsu city, district and
 * street), personal names (`nr*`), numbers and times never qualify. Category names and a small
 * vocabulary of hotline topics (topic-words.ts) are added to the dictionary so that they stay whole.
 *
 * Scrubbing must come first: the import passes `CaseInput.requestText`, which the PII scrubber has
 * already cleaned; placeholders such as [电话] are removed here.
 */
export class KeywordExtractor {
  private static shared?: KeywordExtractor;

  /** One per process: loading the dictionary takes about half a second. */
  static instance(): KeywordExtractor {
    return (KeywordExtractor.shared ??= new KeywordExtractor());
  }

  private readonly jieba: JiebaInstance;
  private readonly kept = new Set<string>();

  private constructor() {
    const { Jieba } = require('@node-rs/jieba') as JiebaModule;
    // The dictionary file itself (the package's dict.js would also read the 6 MB IDF table).
    const dict = readFileSync(require.resolve('@node-rs/jieba/dict.txt'));
    // Lines are "word frequency tag"; read the tags straight from the buffer (no 349k-line string
    // array) to keep the import's memory flat.
    for (let start = 0; start < dict.length;) {
      const nl = dict.indexOf(10, start);
      const end = nl < 0 ? dict.length : nl;
      const lastSpace = dict.lastIndexOf(32, end - 1);
      if (lastSpace > start) {
        const tag = dict.toString('latin1', lastSpace + 1, end).trim();
        if (KEPT_TAGS.has(tag)) this.kept.add(dict.toString('utf8', start, dict.indexOf(32, start)));
      }
      start = end + 1;
    }
    const extra: string[] = [];
    const places = jiangsuAreaRows().map((a) => a.nameZh);
    for (const place of places) extra.push(`${place} 200000 ns`);
    for (const c of categoryRows()) extra.push(`${c.nameZh} 100000 n`);
    for (const t of DOMAIN_TOPICS) extra.push(`${t} 100000 n`);
    // One build of the segmenter's trie (a second loadDict would rebuild it and cost memory).
    this.jieba = Jieba.withDict(Buffer.concat([dict, Buffer.from(`\n${extra.join('\n')}\n`)]));
    for (const place of places) this.kept.delete(place);
    for (const c of categoryRows()) this.kept.add(c.nameZh);
    for (const t of DOMAIN_TOPICS) this.kept.add(t);
    for (const s of STOP_WORDS) this.kept.delete(s);
  }

  /** Distinct keywords in order of first mention, at most MAX_KEYWORDS_PER_CASE. */
  extract(text: string | null | undefined): string[] {
    if (!text) return [];
    const out: string[] = [];
    for (const token of this.jieba.cut(text.replace(PLACEHOLDER, '，'), false)) {
      if (!CJK_WORD.test(token) || !this.kept.has(token) || out.includes(token)) continue;
      out.push(token);
      if (out.length === MAX_KEYWORDS_PER_CASE) break;
    }
    return out;
  }
}
