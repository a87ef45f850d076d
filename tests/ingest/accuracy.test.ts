// The accuracy floor on the hand-annotated text (examples/ingest): a change that loses provisions or modality fails here.
import { describe, expect, it } from 'vitest';
import { documentAccuracy } from '../../scripts/bench/ingest-accuracy.js';
import { ingest } from '../../src/ingest/ingest.js';
import { PolicyValidator } from '../../src/validation/validator.js';

const DOCUMENT = 'examples/ingest/kestrel-guidelines.md';

describe('accuracy on the annotated Kestrel guidelines', async () => {
  const a = await documentAccuracy(DOCUMENT);

  it('finds provisions with precision >= 95% and recall >= 70%', () => {
    expect(a.provisions.gold).toBeGreaterThanOrEqual(100);
    expect(a.provisions.precision).toBeGreaterThanOrEqual(0.95);
    expect(a.provisions.recall).toBeGreaterThanOrEqual(0.7);
  });

  it('gives the annotated modality to >= 90% of the provisions it finds, and finds >= 90% of the permissions', () => {
    expect(a.kindAccuracy).toBeGreaterThanOrEqual(0.9);
    expect(a.kinds.Permission!.recall).toBeGreaterThanOrEqual(0.9);
    expect(a.kinds.Prohibition!.precision).toBeGreaterThanOrEqual(0.9);
  });

  it('drafts the whole document into a policy that passes the shapes', async () => {
    const result = await ingest(DOCUMENT);
    const validator = await PolicyValidator.create();
    const report = await validator.validateSources([{ file: 'kestrel.draft.ttl', text: result.turtle, baseIri: 'file:///kestrel.draft.ttl' }]);
    expect(report.violations).toEqual([]);
  });
});

// 5 CFR part 2635 subparts B and C (public domain), annotated by hand before the detector was run on it. The
// cues were then tuned on the same text: the floor guards against regressions, it is no held-out figure.
describe('accuracy on the annotated 5 CFR 2635 gift rules', async () => {
  const a = await documentAccuracy('examples/ingest/5cfr2635-gifts.md');

  it('finds provisions with precision >= 95% and recall >= 90%, the annotated modality on >= 90%', () => {
    expect(a.provisions.gold).toBeGreaterThanOrEqual(100);
    expect(a.provisions.precision).toBeGreaterThanOrEqual(0.95);
    expect(a.provisions.recall).toBeGreaterThanOrEqual(0.9);
    expect(a.kindAccuracy).toBeGreaterThanOrEqual(0.9);
    expect(a.exceptions.recall).toBeGreaterThanOrEqual(0.8);
  });

  it('drafts the whole text into a policy that passes the shapes', async () => {
    const result = await ingest('examples/ingest/5cfr2635-gifts.md');
    const validator = await PolicyValidator.create();
    const report = await validator.validateSources([{ file: 'cfr.draft.ttl', text: result.turtle, baseIri: 'file:///cfr.draft.ttl' }]);
    expect(report.violations).toEqual([]);
  });
});

// Held out: 5 CFR 2635 subparts F, G and part of H, annotated by hand and committed before the detector first
// ran on it, and never used to tune it. Measured: precision 77.8%, recall 74.0%, modality 89.6%, exceptions on
// matched rules 72.7% (README, "Accuracy without an LLM"); the floors sit a little under, to catch regressions.
describe('accuracy on the held-out 5 CFR 2635 employment and misuse-of-position rules', async () => {
  const a = await documentAccuracy('examples/ingest/5cfr2635-employment.md');

  it('finds provisions with precision >= 75% and recall >= 70%, the annotated modality on >= 85%', () => {
    expect(a.provisions.gold).toBeGreaterThanOrEqual(100);
    expect(a.provisions.precision).toBeGreaterThanOrEqual(0.75);
    expect(a.provisions.recall).toBeGreaterThanOrEqual(0.7);
    expect(a.kindAccuracy).toBeGreaterThanOrEqual(0.85);
    expect(a.exceptions.recall).toBeGreaterThanOrEqual(0.6);
  });

  it('drafts the whole text into a policy that passes the shapes', async () => {
    const result = await ingest('examples/ingest/5cfr2635-employment.md');
    const validator = await PolicyValidator.create();
    const report = await validator.validateSources([{ file: 'cfr-f-h.draft.ttl', text: result.turtle, baseIri: 'file:///cfr-f-h.draft.ttl' }]);
    expect(report.violations).toEqual([]);
  });
});
