/**
 * The fenced blocks of a Markdown file, for the README tour test. A block's language says how it
 * runs: `sh` through bash, `python` through python3, `graphql` as one POST to the gateway; any other
 * language (`json`, `text`) is data or a picture, not a command. A line
 * `<!-- tour: skip (why) -->` just above a fence keeps a command block from being run.
 */
export interface MarkdownBlock {
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The fence's language, lower case ('' when it names none). */
  lang: string;
  code: string;
  /** Why the block is not run, from its `<!-- tour: skip (why) -->` marker. */
  skip?: string;
}

export const RUNNABLE = { sh: 'bash', bash: 'bash', shell: 'bash', python: 'python3', graphql: 'graphql' } as const;
export type Runner = (typeof RUNNABLE)[keyof typeof RUNNABLE];

const FENCE = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)/;
const MARKER = /^<!--\s*tour:\s*(.*?)\s*-->$/;

export function markdownBlocks(file: string, markdown: string): MarkdownBlock[] {
  const lines = markdown.split('\n');
  const blocks: MarkdownBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, lang] = open;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !(lines[j].startsWith(indent + fence[0].repeat(3)) && lines[j].trim() === fence)) {
      body.push(lines[j].slice(indent.length));
      j++;
    }
    if (j >= lines.length) throw new Error(`${file}:${i + 1}: the fence opened here is never closed`);
    let k = i - 1;
    while (k >= 0 && lines[k].trim() === '') k--;
    const marker = k >= 0 ? MARKER.exec(lines[k].trim()) : null;
    const block: MarkdownBlock = { file, line: i + 1, lang: lang.toLowerCase(), code: body.join('\n') };
    if (marker) {
      const skip = /^skip\s*\((.+)\)$/.exec(marker[1]);
      if (!skip) throw new Error(`${file}:${k + 1}: unknown tour marker "${marker[1]}" (expected: skip (why))`);
      block.skip = skip[1];
    }
    blocks.push(block);
    i = j;
  }
  return blocks;
}

/** The key a GraphQL block runs with: a comment line naming `$STEWARD`, `$DEPT`, `$RESEARCHER` or `$AUDITOR`; none is the public. */
export function graphqlCaller(code: string): string | undefined {
  for (const line of code.split('\n')) {
    const m = /^\s*#.*\$(STEWARD|DEPT|RESEARCHER|AUDITOR)\b/.exec(line);
    if (m) return m[1];
  }
  return undefined;
}
