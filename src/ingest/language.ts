/** The language of a document's text, by franc's trigram model: ingestion reads English deontic language only. */

import { franc } from 'franc-min';

const NAMES: Record<string, string> = {
  eng: 'English', deu: 'German', fra: 'French', spa: 'Spanish', ita: 'Italian', por: 'Portuguese', nld: 'Dutch',
  pol: 'Polish', rus: 'Russian', cmn: 'Chinese', jpn: 'Japanese', arb: 'Arabic', tur: 'Turkish', swe: 'Swedish',
};

/** The ISO 639-3 code of the text's language ('und' when too little text to tell), from a sample of its prose. */
export function languageOf(text: string): { code: string; name: string } {
  // Numbers, section signs and markup say nothing about the language; a few thousand characters are enough.
  const sample = text.replace(/[#§*()[\]0-9$%.,;:]+/g, ' ').replace(/\s+/g, ' ').slice(0, 6000);
  const code = franc(sample, { minLength: 40 });
  return { code, name: NAMES[code] ?? code };
}
