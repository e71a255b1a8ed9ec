// The sample pushes one click away: put in by the build from test/fixtures (scripts/build-inspector.mjs).
import type { DissectInput } from '../src/dissect/index.js';

export interface Sample {
  name: string;
  /** Where the octets come from, as the fixture names it. */
  source: string;
  input: DissectInput;
  lines: string[];
  contentType?: string;
}

declare const __SAMPLES__: Sample[];

export const SAMPLES: readonly Sample[] = typeof __SAMPLES__ === 'undefined' ? [] : __SAMPLES__;
