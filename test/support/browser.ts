import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Debian's chromium, driven by playwright-core (its own browser downloads do not work here). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // WebGL (the explorer's sigma.js) without a GPU: chromium renders it with SwiftShader.
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
];

export const hasChromium = (): boolean => existsSync(CHROMIUM);

/** Launches chromium, or fails naming the fix when it is not installed. */
export function launchChromium(): Promise<Browser> {
  if (!hasChromium()) {
    throw new Error(`No chromium at ${CHROMIUM}: install Debian's (apt-get install -y chromium, as .ci/run does) or set CHROMIUM_PATH`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
}
