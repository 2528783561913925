// Module hooks (node:module register) that let a node test import the web's
// TypeScript files as they are: a relative import without an extension finds
// the .ts file, .ts is transpiled with the TypeScript of web/node_modules, and a
// .vue file (only ever imported lazily by the route declarations) is an empty
// module. Type-only imports disappear in the transpile.
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const ts = createRequire(`${root}web/package.json`)('typescript');

export async function resolve(specifier, context, next) {
  if ((specifier.startsWith('./') || specifier.startsWith('../')) && context.parentURL?.endsWith('.ts')) {
    const base = new URL(specifier, context.parentURL);
    for (const candidate of [`${base.href}.ts`, `${base.href}/index.ts`]) {
      if (existsSync(fileURLToPath(candidate))) return { url: candidate, shortCircuit: true };
    }
  }
  return next(specifier, context);
}

export async function load(url, context, next) {
  if (url.endsWith('.vue')) return { format: 'module', source: 'export default {}', shortCircuit: true };
  if (url.endsWith('.ts')) {
    const source = ts.transpileModule(readFileSync(fileURLToPath(url), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false },
      fileName: fileURLToPath(url),
    }).outputText;
    return { format: 'module', source, shortCircuit: true };
  }
  return next(url, context);
}

export const rootUrl = pathToFileURL(root).href;
