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

/**
 * Entries by code page, then token (both octets): two array reads per lookup, where a Map with
 * a computed key cost a hash probe on every token of a document. A later entry wins, as in the
 * tables' own order.
 */
function byPageAndToken<T>(
  entries: Iterable<readonly [page: number, token: number, value: T]>,
): (page: number, token: number) => T | undefined {
  const pages: Array<Array<T | undefined> | undefined> = [];
  for (const [p, t, v] of entries) (pages[p] ??= new Array<T | undefined>(256).fill(undefined))[t] = v;
  return (p, t) => pages[p]?.[t];
}

export function vocabulary(def: VocabularyDefinition): Vocabulary {
  const tagTokens = new Map<string, readonly [number, number]>();
  for (const [p, t, n] of def.tags) if (!tagTokens.has(n)) tagTokens.set(n, [p, t]);
  const startsByName = new Map<string, Array<readonly [number, number, string]>>();
  for (const [p, t, n, prefix] of def.attributeStarts) {
    let list = startsByName.get(n);
    if (!list) startsByName.set(n, (list = []));
    list.push([p, t, prefix]);
  }
  for (const list of startsByName.values()) list.sort((a, b) => b[2].length - a[2].length);
  return Object.freeze({
    ...def,
    tagName: byPageAndToken(def.tags),
    attributeStart: byPageAndToken(
      def.attributeStarts.map(([p, t, n, prefix]) => [p, t, [n, prefix] as const] as const),
    ),
    attributeValue: byPageAndToken(def.attributeValues),
    tagToken: (n: string) => tagTokens.get(n),
    attributeStartsFor: (n: string) => startsByName.get(n) ?? [],
  });
}
