/**
 * The headless browser that prints PDF reports (and that the tests open
 * reports in): the machine's Chromium, driven by playwright-core. Nothing is
 * downloaded: the browser is Debian's package at /usr/bin/chromium, or
 * wherever CHROMIUM_PATH points.
 */

import { access, constants } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { BrowserMissingError } from '../errors.js';

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/** Where the browser should be. */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.CHROMIUM_PATH || DEFAULT_CHROMIUM;
}

/** The browser's path when it is there and executable, else undefined. */
export async function findChromium(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const file = chromiumPath(env);
  try {
    await access(file, constants.X_OK);
    return file;
  } catch {
    return undefined;
  }
}

/** Launches the browser, or says how to install it. */
export async function launchChromium(env: NodeJS.ProcessEnv = process.env): Promise<Browser> {
  const file = await findChromium(env);
  if (!file) {
    throw new BrowserMissingError(
      `no Chromium at ${chromiumPath(env)}: PDF reports are printed by a headless Chromium. Install it (on Debian or Ubuntu: 'apt-get install -y chromium'), or set CHROMIUM_PATH to a Chromium or Chrome binary; or write --format html and print that.`,
    );
  }
  // Loaded when a browser is first needed: importing playwright-core costs a quarter of a second.
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: file, headless: true });
}
