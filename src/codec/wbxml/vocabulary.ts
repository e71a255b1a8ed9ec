/**
 * A WBXML document type's code pages: tag tokens, attribute-start tokens (name plus the
 * value prefix they stand for) and attribute-value tokens. One table per document, used
 * by both the decoder (token -> text) and the encoder (text -> longest token).
 */
export interface VocabularyDefinition {
  readonly name: string;
  readonly publicId: number;
  readonly publicIdText: string;
  readonly tags: ReadonlyArray<readonly [page: number, token: number, name: string]>;
  readonly attributeStarts: ReadonlyArray<readonly [page: number, token: number, name: string, valuePrefix: string]>;
  readonly attributeValues: ReadonlyArray<readonly [page: number, token: number, value: string]>;
}

export interface Vocabulary extends VocabularyDefinition {
  tagName(page: number, token: number): string | undefined;
  attributeStart(page: number, token: number): readonly [name: string, valuePrefix: string] | undefined;
  attributeValue(page: number, token: number): string | undefined;
  tagToken(name: string): readonly [page: number, token: number] | undefined;
  /** Attribute-start tokens for a name, longest value prefix first. */
  attributeStartsFor(name: string): ReadonlyArray<readonly [page: number, token: number, prefix: string]>;
}

const key = (page: number, token: number) => (page << 8) | token;

export function vocabulary(def: VocabularyDefinition): Vocabulary {
  const tags = new Map<number, string>();
  const tagTokens = new Map<string, readonly [number, number]>();
  for (const [p, t, n] of def.tags) {
    tags.set(key(p, t), n);
    if (!tagTokens.has(n)) tagTokens.set(n, [p, t]);
  }
  const starts = new Map<number, readonly [string, string]>();
  const startsByName = new Map<string, Array<readonly [number, number, string]>>();
  for (const [p, t, n, prefix] of def.attributeStarts) {
    starts.set(key(p, t), [n, prefix]);
    let list = startsByName.get(n);
    if (!list) startsByName.set(n, (list = []));
    list.push([p, t, prefix]);
  }
  for (const list of startsByName.values()) list.sort((a, b) => b[2].length - a[2].length);
  const values = new Map<number, string>();
  for (const [p, t, v] of def.attributeValues) values.set(key(p, t), v);
  return Object.freeze({
    ...def,
    tagName: (p: number, t: number) => tags.get(key(p, t)),
    attributeStart: (p: number, t: number) => starts.get(key(p, t)),
    attributeValue: (p: number, t: number) => values.get(key(p, t)),
    tagToken: (n: string) => tagTokens.get(n),
    attributeStartsFor: (n: string) => startsByName.get(n) ?? [],
  });
}
