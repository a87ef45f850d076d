/**
 * Escaping for report formats. Rule texts come from authors and answers from
 * the model under audit, which is untrusted: nothing from either may become
 * markup.
 */

const HTML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for HTML element content or a quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML[c]!);
}

/** JSON that can sit inside an HTML <script type="application/json"> block: no "</script" or comment openers survive. */
export function jsonForHtml(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

/** Text for a Markdown table cell or paragraph: no HTML, no emphasis, links or table breaks from the text itself. */
export function escapeMarkdown(text: string): string {
  return escapeHtml(text.replace(/([\\`*_{}[\]()#+!|~])/g, '\\$1')).replace(/\r?\n/g, ' ');
}
