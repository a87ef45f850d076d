/**
 * A report as PDF: the HTML report printed by headless Chromium. The page is
 * loaded from a string with every network request refused, so the PDF shows
 * exactly the self-contained HTML.
 */

import { launchChromium } from './browser.js';

export async function renderPdf(html: string): Promise<Buffer> {
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ offline: true, javaScriptEnabled: false });
    const page = await context.newPage();
    await page.route('**/*', (route) => route.abort());
    await page.setContent(html, { waitUntil: 'load' });
    return await page.pdf({ format: 'A4', printBackground: true, margin: { top: '12mm', bottom: '12mm', left: '10mm', right: '10mm' } });
  } finally {
    await browser.close();
  }
}
