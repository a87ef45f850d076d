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
