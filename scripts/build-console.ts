/**
 * `npm run build:console` (and scripts/setup.sh, `npm run build`): bundles the operator console
 * (console/src, Preact + TSX) with esbuild into console/dist, which the API serves at /console.
 * Names carry a content hash (cached for good by browsers); index.html is rewritten to them.
 * Fails when the page would hold an inline script or style (the CSP forbids both) or when the
 * bundle would take in anything but the console and Preact (the API's types are `import type`).
 */
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve, sep } from 'node:path';

const ROOT = resolve(__dirname, '..');
const CONSOLE = join(ROOT, 'console');
export const CONSOLE_DIST = join(CONSOLE, 'dist');

export interface BuiltConsole {
  outDir: string;
  /** The files written, relative to outDir. */
  files: string[];
}

/** Only these may end up in the bundle: the console's own sources and Preact. */
const BUNDLE_MAY_HOLD = [`console${sep}src${sep}`, `console${sep}static${sep}`, `node_modules${sep}preact${sep}`];

export function checkPage(html: string): void {
  if (/<script(?![^>]*\ssrc=)[^>]*>/i.test(html)) throw new Error('console/static/index.html has an inline script: the CSP (script-src self) would block it');
  if (/<style[\s>]|\sstyle=/i.test(html)) throw new Error('console/static/index.html has an inline style: the CSP (style-src self) would block it');
  if (/\son[a-z]+=/i.test(html)) throw new Error('console/static/index.html has an inline event handler: the CSP would block it');
}

export async function buildConsole(options: { outDir?: string } = {}): Promise<BuiltConsole> {
  const outDir = options.outDir ?? CONSOLE_DIST;
  const template = readFileSync(join(CONSOLE, 'static', 'index.html'), 'utf8');
  checkPage(template);
  mkdirSync(outDir, { recursive: true });
  // New bundles go beside the old ones (their names differ by hash), the page is replaced in one
  // rename, and only then do the old bundles go: a running API never serves a page whose files are missing.
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [
      { in: join(CONSOLE, 'src', 'main.tsx'), out: 'app' },
      { in: join(CONSOLE, 'static', 'app.css'), out: 'app' },
    ],
    outdir: outDir,
    entryNames: '[name]-[hash]',
    bundle: true,
    minify: true,
    sourcemap: 'linked',
    format: 'iife',
    target: 'es2020',
    platform: 'browser',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    tsconfig: join(CONSOLE, 'tsconfig.json'),
    metafile: true,
    logLevel: 'silent',
  });
  const outputs = Object.keys(result.metafile.outputs).map((output) => basename(output));
  const strays = Object.keys(result.metafile.inputs)
    .map((input) => relative(ROOT, resolve(ROOT, input)))
    .filter((input) => !BUNDLE_MAY_HOLD.some((prefix) => input.startsWith(prefix)));
  if (strays.length > 0) {
    for (const output of outputs) rmSync(join(outDir, output), { force: true });
    throw new Error(`the console bundle took in ${strays.join(', ')}: import the API's types with \`import type\``);
  }
  const script = outputs.find((name) => /^app-[A-Z0-9]+\.js$/.test(name));
  const style = outputs.find((name) => /^app-[A-Z0-9]+\.css$/.test(name));
  if (!script || !style) throw new Error(`esbuild wrote ${outputs.join(', ')}: expected app-<hash>.js and app-<hash>.css`);
  const page = template.replace('/console/app.js', `/console/${script}`).replace('/console/app.css', `/console/${style}`);
  if (page === template) throw new Error('console/static/index.html does not reference /console/app.js and /console/app.css');
  copyFileSync(join(CONSOLE, 'static', 'favicon.svg'), join(outDir, 'favicon.svg'));
  writeFileSync(join(outDir, 'index.html.next'), page);
  renameSync(join(outDir, 'index.html.next'), join(outDir, 'index.html'));
  const files = [...outputs, 'index.html', 'favicon.svg'].sort();
  for (const old of readdirSync(outDir)) if (!files.includes(old)) rmSync(join(outDir, old), { recursive: true, force: true });
  return { outDir, files };
}

if (require.main === module) {
  const started = Date.now();
  buildConsole().then(
    (built) => console.log(`console: built ${built.files.length} files into ${relative(ROOT, built.outDir)}/ in ${Date.now() - started} ms`),
    (err: unknown) => {
      console.error(`console: build failed: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
