import { describe, expect, it } from 'vitest';
import { DEFAULT_PRECEDENCE, parsePrecedence, resolve, type PairFacts, type Principle, type Relation } from '../../src/conflicts/precedence.js';
import { InvalidOptionError } from '../../src/errors.js';

const S = 'https://w3id.org/alignment-studio/ns#';

const same: Record<'bearer' | 'action' | 'target' | 'counterparty' | 'conditions', Relation> = {
  bearer: 'same', action: 'same', target: 'same', counterparty: 'same', conditions: 'same',
};

/** A pair P (the prohibition) against Q, the same in everything unless told. */
function pair(p: Partial<PairFacts['first']> = {}, q: Partial<PairFacts['second']> = {}, dimensions: Partial<typeof same> = {}): PairFacts {
  return {
    first: { rule: 'P', rank: 2, effectiveFrom: '2024-01-01', overridesOther: false, ...p },
    second: { rule: 'Q', rank: 2, effectiveFrom: '2024-01-01', overridesOther: false, ...q },
    dimensions: { ...same, ...dimensions },
  };
}

const ALL: Principle[] = ['explicitOverride', 'lexSuperior', 'lexSpecialis', 'lexPosterior'];

describe('precedence', () => {
  it.each<[string, PairFacts, Principle[], Principle | null, string | null]>([
    ['an explicit override', pair({}, { overridesOther: true }), ALL, 'explicitOverride', 'Q'],
    ['overrides both ways decide nothing', pair({ overridesOther: true }, { overridesOther: true }), ['explicitOverride'], null, null],
    ['the higher rank', pair({ rank: 3 }), ALL, 'lexSuperior', 'P'],
    ['a rank missing on one side decides nothing by rank', pair({ rank: null }), ['lexSuperior'], null, null],
    ['the narrower target', pair({}, {}, { target: 'broader' }), ALL, 'lexSpecialis', 'Q'],
    ['narrower in two dimensions', pair({}, {}, { bearer: 'narrower', conditions: 'narrower' }), ALL, 'lexSpecialis', 'P'],
    ['narrower in one, broader in another', pair({}, {}, { bearer: 'narrower', target: 'broader' }), ['lexSpecialis'], null, null],
    ['an overlap is no specialisation', pair({}, {}, { bearer: 'narrower', target: 'overlap' }), ['lexSpecialis'], null, null],
    ['an unknown is no specialisation', pair({}, {}, { bearer: 'narrower', counterparty: 'unknown' }), ['lexSpecialis'], null, null],
    ['the later date at the same rank', pair({ effectiveFrom: '2025-07-01' }), ALL, 'lexPosterior', 'P'],
    ['the later date at another rank is not lex posterior', pair({ effectiveFrom: '2025-07-01', rank: 1 }), ['lexPosterior'], null, null],
    ['nothing to decide', pair(), ALL, null, null],
    ['the configured order: rank before override', pair({ rank: 3 }, { overridesOther: true }), ['lexSuperior', 'explicitOverride'], 'lexSuperior', 'P'],
    ['the default order: override before rank', pair({ rank: 3 }, { overridesOther: true }), ALL, 'explicitOverride', 'Q'],
    ['a principle left out is never applied', pair({ rank: 3 }), ['explicitOverride', 'lexPosterior'], null, null],
    // Caution and helpfulness decide by the rules' kinds alone (P is the prohibition), and only where named.
    ['caution: the prohibition', pair({}, { rank: 3 }), ['caution', 'lexSuperior'], 'caution', 'P'],
    ['helpfulness: the permissive rule', pair({ rank: 3 }), ['helpfulness', 'lexSuperior'], 'helpfulness', 'Q'],
    ['caution after a principle that decides', pair({}, { rank: 3 }), ['lexSuperior', 'caution'], 'lexSuperior', 'Q'],
    ['neither in the default order', pair(), [...DEFAULT_PRECEDENCE], null, null],
    // The chain of command, read by lex superior.
    ['a developer instruction against a platform rule', pair({ rank: 3 }, { rank: 2, instructedBy: `${S}DeveloperSource` }), ['lexSuperior'], 'lexSuperior', 'P'],
    ['a hard limit against an instruction that claims a higher rank', pair({ rank: 3, hardLimit: true }, { rank: 9, instructedBy: `${S}DeveloperSource` }), ['lexSuperior'], 'lexSuperior', 'P'],
    ['a hard limit against a rule no instruction triggers decides by rank', pair({ rank: 3, hardLimit: true }, { rank: 9 }), ['lexSuperior'], 'lexSuperior', 'Q'],
    ['a default against an instruction from a source allowed to override it', pair({ rank: 3, yieldsToOther: true }, { rank: 1, instructedBy: `${S}UserSource` }), ['lexSuperior'], 'lexSuperior', 'Q'],
    ['a default against an instruction from a source not allowed', pair({ rank: 3 }, { rank: 1, instructedBy: `${S}UserSource` }), ['lexSuperior'], 'lexSuperior', 'P'],
    ['instructions from the same source decide nothing by rank', pair({ rank: 1, instructedBy: `${S}UserSource` }, { rank: 1, instructedBy: `${S}UserSource` }), ['lexSuperior'], null, null],
    ['a rule applying notwithstanding the other\'s exceptions', pair({ notwithstanding: true }, { rank: 3 }), ALL, 'explicitOverride', 'P'],
    ['notwithstanding against an explicit override decides nothing', pair({ notwithstanding: true }, { overridesOther: true }), ['explicitOverride'], null, null],
  ])('%s', (_label, facts, order, principle, winner) => {
    const resolution = resolve(facts, order);
    expect(resolution?.principle ?? null).toBe(principle);
    expect(resolution?.winner ?? null).toBe(winner);
    if (resolution) expect(resolution.loser).toBe(winner === 'P' ? 'Q' : 'P');
  });

  it.each([['lexSuperior,nonsense'], ['lexSuperior,lexSuperior'], [' , ']])('refuses the order %j', (text) => {
    expect(() => parsePrecedence(text)).toThrow(InvalidOptionError);
  });

  it('reads an order of principles', () => {
    expect(parsePrecedence('lexSuperior, explicitOverride')).toEqual(['lexSuperior', 'explicitOverride']);
    expect(parsePrecedence('explicitOverride,caution,lexSuperior')).toEqual(['explicitOverride', 'caution', 'lexSuperior']);
    expect(parsePrecedence('helpfulness')).toEqual(['helpfulness']);
  });

  it('names the sources in the reasons of the chain of command', () => {
    expect(resolve(pair({ rank: 3 }, { rank: 2, instructedBy: `${S}DeveloperSource` }), ['lexSuperior'])?.reason).toBe('authority rank 3 against 2 (instructed by the developer)');
    expect(resolve(pair({ rank: 3, yieldsToOther: true }, { rank: 1, instructedBy: `${S}UserSource` }), ['lexSuperior'])?.reason).toBe('P is a default that an instruction from the user may override');
  });
});
