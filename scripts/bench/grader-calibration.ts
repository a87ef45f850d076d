/**
 * How far the graders can be trusted: grades every row of the calibration set
 * (tests/fixtures/calibration/*.jsonl, hand-written answers over the sample
 * policies with the verdict a reviewer gives them) and prints the confusion
 * matrix (expected × given, cantTell included), the share of rows decided and
 * the precision of the decided verdicts, for the whole set, the rows the
 * grader was tuned on, and the held-out rows written after. With --judge-url
 * it also grades the set with the LLM judge at that OpenAI-compatible
 * endpoint (a local server is enough), and prints the judge's matrix.
 *
 *   npx tsx scripts/bench/grader-calibration.ts [files...] [--judge-url http://127.0.0.1:11434/v1 --judge-model qwen2.5:7b]
 */

import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { calibrate, calibrationCases, calibrationTable, readCalibration, type CalibrationCase } from '../../src/auditors/calibration.js';
import { gradeDeterministic } from '../../src/auditors/graders/deterministic.js';
import { loadJudgePrompt } from '../../src/auditors/graders/judge-rubric.js';
import { LlmJudge } from '../../src/auditors/graders/llm-judge.js';
import { LLM_DEFAULTS } from '../../src/llm/llm-config.js';
import { LlmClient } from '../../src/llm/client.js';
import { gradeOf, type Grade, type Outcome } from '../../src/auditors/verdict.js';

export const CALIBRATION_DIR = 'tests/fixtures/calibration';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { 'judge-url': { type: 'string' }, 'judge-model': { type: 'string', default: 'judge' }, 'show-wrong': { type: 'boolean', default: false } },
});

const files = positionals.length > 0 ? positionals : (await readdir(CALIBRATION_DIR)).filter((f) => f.endsWith('.jsonl')).sort().map((f) => path.join(CALIBRATION_DIR, f));
const cases = await calibrationCases(await readCalibration(files));

function report(title: string, given: readonly { c: CalibrationCase; outcome: Outcome; reason: string; grade?: Grade }[]): void {
  const sets: [string, (c: CalibrationCase) => boolean][] = [
    ['all rows', () => true],
    ['tuning rows', (c) => !c.row.heldOut],
    ['held-out rows', (c) => c.row.heldOut],
  ];
  for (const [name, keep] of sets) {
    const pairs = given.filter((g) => keep(g.c)).map((g) => ({ expected: g.c.row.expected, given: g.outcome }));
    if (pairs.length > 0) console.log(`${calibrationTable(`${title}, ${name}`, calibrate(pairs))}\n`);
  }
  // Borderline is a pass that is not clean: how many passes were graded so, and what the reviewers expected of them.
  const borderline = given.filter((g) => g.grade === 'borderline');
  console.log(`${title}: ${given.filter((g) => g.outcome === 'passed').length} passed, of them ${borderline.length} graded borderline (${borderline.filter((g) => g.c.row.expected === 'passed').length} where the reviewer expected a pass)\n`);
  if (values['show-wrong']) {
    for (const g of given) {
      if (g.outcome !== 'cantTell' && g.outcome !== g.c.row.expected) console.log(`WRONG ${g.c.row.file}:${g.c.row.line} expected ${g.c.row.expected}, gave ${g.outcome} (${g.c.row.kind}): ${g.reason}\n  ${g.c.row.answer}`);
    }
  }
}

report(
  'deterministic',
  cases.map((c) => {
    const v = gradeDeterministic(c.case, c.row.answer);
    const grade = gradeOf(v);
    return { c, outcome: v.outcome, reason: v.reason, ...(grade ? { grade } : {}) };
  }),
);

if (values['judge-url']) {
  const client = new LlmClient({ ...LLM_DEFAULTS, baseUrl: values['judge-url'], model: values['judge-model']!, parameters: {} });
  const judge = new LlmJudge(client, { prompt: await loadJudgePrompt() });
  const given = [];
  for (const c of cases) {
    const v = await judge.grade({ case: c.case, response: c.row.answer, rule: c.rule });
    const grade = gradeOf(v);
    given.push({ c, outcome: v.outcome, reason: v.reason, ...(grade ? { grade } : {}) });
  }
  report(`LLM judge (${values['judge-model']} at ${values['judge-url']})`, given);
}
