// Types of scripts/build-inspector.mjs, for the tests that build the page.
export interface Sample {
  name: string;
  source: string;
  input: 'wsp' | 'sms' | 'smpp' | 'wbxml';
  lines: string[];
  contentType?: string;
}
export function samples(): Sample[];
export function buildInspector(): Promise<string>;
