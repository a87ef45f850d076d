/** DOCX to text: mammoth turns the document's styles into HTML (Heading 1 to <h1>, lists to <li>), read as HTML. */

import mammoth from 'mammoth';
import { htmlToText } from './html.js';

/** Thrown when the bytes are not a readable DOCX; the message says why. */
export class UnreadableDocx extends Error {}

/** The OLE compound file signature: Word's password-protected .docx files and old .doc files are stored in one. */
const OLE = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);

export async function docxToText(bytes: Buffer): Promise<string> {
  if (bytes.subarray(0, 8).equals(OLE)) {
    throw new UnreadableDocx('the file is encrypted (password protected) or an old Word .doc: save it as an unprotected .docx and try again.');
  }
  if (bytes.subarray(0, 2).toString('latin1') !== 'PK') throw new UnreadableDocx('the file is not a DOCX (a DOCX is a ZIP archive); it may be corrupt.');
  try {
    const { value } = await mammoth.convertToHtml({ buffer: bytes });
    return htmlToText(value);
  } catch (error) {
    throw new UnreadableDocx(`the DOCX cannot be read (${(error as Error).message}); it may be corrupt.`);
  }
}
