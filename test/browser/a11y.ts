import type { Page } from 'playwright-core';

/** Roles of controls a person operates: each needs an accessible name. */
const CONTROL_ROLES = ['button', 'link', 'textbox', 'searchbox', 'combobox', 'listbox', 'checkbox', 'radio', 'spinbutton', 'slider', 'switch', 'tab', 'menuitem', 'option'];
const UNNAMED = new RegExp(`^\\s*- (${CONTROL_ROLES.join('|')})(?:\\s*\\[[^\\]]*\\])*\\s*(?::.*)?$`);

/**
 * The controls of the page without an accessible name, from Chromium's own accessibility tree
 * (Playwright's ARIA snapshot: `- button "Send"` has one, `- button` has none), plus every
 * `button`, `a[href]`, `input`, `select` and `textarea` whose name computed in the page
 * (aria-labelledby, aria-label, its label, its text, title, alt, placeholder) is empty.
 * Answers one line per offender (empty: all named).
 */
export async function unnamedControls(page: Page): Promise<string[]> {
  const snapshot = await page.locator('body').ariaSnapshot();
  const fromTree = snapshot
    .split('\n')
    .filter((line) => UNNAMED.test(line))
    .map((line) => `aria: ${line.trim()}`);
  const fromDom = (await page.evaluate(IN_PAGE)) as string[];
  return [...fromTree, ...fromDom];
}

/** Runs in the page (plain JavaScript: this project's TypeScript has no DOM types). */
const IN_PAGE = `(() => {
  const text = (element) => ((element && element.textContent) || '').replace(/\\s+/g, ' ').trim();
  const named = (element) => {
    const labelledBy = element.getAttribute('aria-labelledby');
    if (labelledBy && labelledBy.split(/\\s+/).some((id) => text(document.getElementById(id)))) return true;
    if ((element.getAttribute('aria-label') || '').trim()) return true;
    if (element.labels && [...element.labels].some((label) => text(label))) return true;
    if (['BUTTON', 'A'].includes(element.tagName) && (text(element) || [...element.querySelectorAll('img[alt]')].some((img) => img.getAttribute('alt')))) return true;
    if (element.tagName === 'INPUT' && ['submit', 'button', 'reset'].includes(element.type) && element.value) return true;
    if ((element.getAttribute('title') || '').trim()) return true;
    return (element.getAttribute('placeholder') || '').trim() !== '';
  };
  const visible = (element) => element.getClientRects().length > 0 || element.closest('label') !== null;
  return [...document.querySelectorAll('button, a[href], input:not([type="hidden"]), select, textarea')]
    .filter((element) => visible(element) && !element.closest('[aria-hidden="true"], dialog:not([open])') && !named(element))
    .map((element) => 'dom: <' + element.tagName.toLowerCase() + (element.id ? '#' + element.id : '') + '> ' + element.outerHTML.slice(0, 120));
})()`;
