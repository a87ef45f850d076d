/** PDF to text, page by page, through pdf-parse (Mozilla's pdf.js): the text layer, with each page's offsets. */

import { PDFParse, PasswordException, InvalidPDFException } from 'pdf-parse';

export interface PdfText {
  readonly text: string;
  /** Where each page's text sits in `text`: [start, end), 1-based page numbers. */
  readonly pages: readonly { readonly page: number; readonly start: number; readonly end: number }[];
}

/** Thrown when the bytes are not a readable PDF; the message says why and what to do. */
export class UnreadablePdf extends Error {}

export async function pdfToText(bytes: Buffer): Promise<PdfText> {
  const parser = new PDFParse({ data: new Uint8Array(bytes) });
  try {
    const result = await parser.getText();
    const pages: { page: number; start: number; end: number }[] = [];
    let text = '';
    for (const page of result.pages) {
      if (text) text += '\n\n';
      const start = text.length;
      text += page.text.replace(/\r\n?/g, '\n').trimEnd();
      pages.push({ page: page.num, start, end: text.length });
    }
    return { text: text + '\n', pages };
  } catch (error) {
    if (error instanceof PasswordException) throw new UnreadablePdf('the PDF is encrypted and needs a password: save an unprotected copy (for example with qpdf --decrypt) and ingest that.');
    if (error instanceof InvalidPDFException) throw new UnreadablePdf('the file is not a valid PDF (its structure is broken); it may be corrupt or truncated.');
    throw new UnreadablePdf(`the PDF cannot be read (${(error as Error).message}).`);
  } finally {
    await parser.destroy();
  }
}
