import { readFileSync } from 'node:fs';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { ConfigError } from '../errors.js';

/**
 * A YAML file read with positions kept, so that a schema error on `clients[1].redirect_uris`
 * can be reported as `server.yaml: line 14: clients[1].redirect_uris: …`.
 */
export interface YamlSource {
  file: string;
  data: unknown;
  /** 1-based line of the node at `path`, or of its nearest existing parent. */
  lineOf(path: readonly (string | number)[]): number | undefined;
}

export function readYamlFile(file: string): YamlSource {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read the file (${(error as NodeJS.ErrnoException).code})`, {
      file,
    });
  }
  return parseYamlText(text, file);
}

export function parseYamlText(text: string, file: string): YamlSource {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  const firstError = document.errors[0];
  if (firstError) {
    const line = lineCounter.linePos(firstError.pos[0]).line;
    throw new ConfigError(`YAML syntax error: ${firstError.message.split('\n')[0]}`, {
      file,
      line,
    });
  }
  return {
    file,
    data: document.toJS() ?? {},
    lineOf: (path) => lineOfPath(document, lineCounter, path),
  };
}

function lineOfPath(
  document: Document,
  lineCounter: LineCounter,
  path: readonly (string | number)[],
): number | undefined {
  const lineAt = (offset: number) => lineCounter.linePos(offset).line;
  // Walk down as far as the path exists; a missing setting is reported at its parent. A
  // setting is reported where its key is written (a map value may start lines below it).
  for (let depth = path.length; depth >= 1; depth -= 1) {
    const parent = document.getIn(path.slice(0, depth - 1), true) as Node | undefined;
    const last = path[depth - 1];
    if (isMap(parent)) {
      const pair = parent.items.find((item) => isScalar(item.key) && String(item.key.value) === String(last));
      if (pair && isScalar(pair.key) && pair.key.range) return lineAt(pair.key.range[0]);
    } else if (isSeq(parent) && typeof last === 'number') {
      const item = parent.items[last] as Node | undefined;
      if (item && 'range' in item && item.range) return lineAt(item.range[0]);
    }
  }
  const root = document.contents as Node | null;
  return root && 'range' in root && root.range ? lineAt(root.range[0]) : undefined;
}

/** `clients[1].redirect_uris` from `['clients', 1, 'redirect_uris']`. */
export function dottedPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, index) => {
      if (typeof part === 'number') return `[${part}]`;
      return index === 0 ? String(part) : `.${String(part)}`;
    })
    .join('');
}
