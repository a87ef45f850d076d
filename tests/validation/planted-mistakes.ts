/**
 * Mistakes planted in the mini policy (tests/fixtures/mini-policy.ttl), one
 * or more per constraint component the shapes use: each test that must see
 * the validator find them (second-opinion.test.ts, conformance-precheck.test.ts)
 * plants the same ones.
 */

const mistakes: [string, string, string][] = [
  ['two bearers', 'studio:bearer studio:Employee ;\n    studio:action mini:acceptGift', 'studio:bearer studio:Employee, studio:Manager ;\n    studio:action mini:acceptGift'],
  ['no bearer', '    studio:bearer studio:Manager ;\n', ''],
  ['an undeclared bearer', 'studio:bearer studio:Manager ;', 'studio:bearer mini:Boss ;'],
  ['two actions', 'studio:action mini:protect ;', 'studio:action mini:protect, mini:share ;'],
  ['an exception to nothing', 'studio:exceptionTo mini:gifts-001', 'studio:exceptionTo mini:gifts-01'],
  ['an exception to itself', 'studio:exceptionTo mini:gifts-001', 'studio:exceptionTo mini:gifts-003'],
  ['a malformed date', '"2024-01-01"^^xsd:date', '"2024-13-01"^^xsd:date'],
  ['a date as a plain string', '"2024-01-01"^^xsd:date', '"2024-01-01"'],
  ['a rank of 0', 'studio:authorityRank 2 .\n\nmini:def-secret', 'studio:authorityRank 0 .\n\nmini:def-secret'],
  ['a rank as text', 'studio:authorityRank 2 .\n\nmini:def-secret', 'studio:authorityRank "high" .\n\nmini:def-secret'],
  ['an undeclared target', 'studio:target mini:gift ;\n    studio:counterparty', 'studio:target mini:gfit ;\n    studio:counterparty'],
  ['a misspelt property', 'studio:refersTo mini:gifts-001 .', 'studio:refersto mini:gifts-001 .'],
  ['a misspelt rule class', 'mini:conf-003 a studio:Permission ;', 'mini:conf-003 a studio:Permision ;'],
  ['a rule of two kinds', 'mini:conf-003 a studio:Permission ;', 'mini:conf-003 a studio:Permission, studio:Prohibition ;'],
  ['direct-to-channel without a channel', '    studio:channel mini:hotline ;\n', ''],
  ['an empty interval', 'studio:maxInclusive "50"^^xsd:decimal ;', 'studio:maxInclusive "50"^^xsd:decimal ; studio:minInclusive "80"^^xsd:decimal ;'],
  ['an empty exclusive interval', 'studio:maxInclusive "50"^^xsd:decimal ;', 'studio:minExclusive "150"^^xsd:decimal ;\n    studio:maxExclusive "100"^^xsd:decimal ;'],
  ['an audience out of the list', 'studio:audience studio:External', 'studio:audience mini:everyone'],
  ['a contact point as a number', 'mini:hotline a studio:Channel ; rdfs:label "ethics hotline" .', 'mini:hotline a studio:Channel ; rdfs:label "ethics hotline" ; studio:contactPoint 988 .'],
  ['a gerund on a channel', 'mini:hotline a studio:Channel ; rdfs:label "ethics hotline" .', 'mini:hotline a studio:Channel ; rdfs:label "ethics hotline" ; studio:gerund "hotlining" .'],
  ['a gerund that is not one', 'mini:acceptGift a studio:Action ; rdfs:label "accept a gift" .', 'mini:acceptGift a studio:Action ; rdfs:label "accept a gift" ; studio:gerund "accept a gift" .'],
  ['a definition of nothing', 'studio:defines mini:secret', 'studio:defines mini:secrets'],
  ['a misspelt bound', 'studio:maxInclusive "50"', 'studio:maxInclusve "50"'],
];
const appended: [string, string][] = [
  ['a conflict won by a third rule', 'mini:conflict-1 a studio:DocumentedConflict ;\n    rdfs:label "Sharing" ;\n    studio:between mini:conf-001, mini:conf-003 ;\n    studio:intendedWinner mini:conf-002 .'],
  ['an empty compound', 'mini:cond-or a studio:CompoundCondition ;\n    rdfs:label "nothing" ;\n    studio:anyOf () .'],
  ['a compound listing a non-condition', 'mini:cond-or a studio:CompoundCondition ;\n    rdfs:label "x" ;\n    studio:anyOf ( mini:cond-nominal mini:gift ) .'],
  ['a compound with anyOf and allOf', 'mini:cond-or a studio:CompoundCondition ;\n    rdfs:label "both" ;\n    studio:anyOf ( mini:cond-nominal ) ;\n    studio:allOf ( mini:cond-external ) .'],
  ['two compounds in a cycle, one blank', 'mini:cond-a a studio:CompoundCondition ;\n    rdfs:label "a" ;\n    studio:anyOf ( mini:cond-nominal mini:cond-b [ a studio:CompoundCondition ; rdfs:label "blank" ; studio:anyOf () ] ) .\nmini:cond-b a studio:CompoundCondition ;\n    rdfs:label "b" ;\n    studio:allOf ( mini:cond-external mini:cond-a ) .'],
];

/** Each planted mistake's label and the mini policy's text with it. */
export function plantedMistakes(mini: string): [string, string][] {
  return [
    ...mistakes.map(([label, from, to]): [string, string] => {
      if (!mini.includes(from)) throw new Error(`${label}: the mini policy no longer has ${JSON.stringify(from)}`);
      return [label, mini.replace(from, to)];
    }),
    ...appended.map(([label, text]): [string, string] => [label, `${mini}\n${text}\n`]),
  ];
}
