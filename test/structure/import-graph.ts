import { readdirSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import ts from 'typescript'

/** One import arrow: `from` imports `to` (both paths relative to the root, `src/...`). */
export interface Arrow {
  from: string
  to: string
  /** True when every name crossing the arrow is a type (`import type`, `export type`, `import('x').T`). */
  typeOnly: boolean
}

/** One import of a package (`hono`, `drizzle-orm/sqlite-core`, `cloudflare:workers`) by a file under the folder. */
export interface PackageImport {
  from: string
  specifier: string
}

/**
 * Every import under `dir`, read with the TypeScript compiler's own parser and module resolution (so
 * `.js` specifiers, folder `index.ts` and `.tsx` resolve as tsc resolves them): the arrows between
 * its files, and the packages it imports. Imports of files outside `dir` (migrations) are neither.
 * Example: `importGraph('/repo', 'src').arrows` → `[{ from: 'src/http/app.ts', to: 'src/http/problem.ts', typeOnly: false }, …]`
 */
export function importGraph(root: string, dir: string): { arrows: Arrow[]; packages: PackageImport[] } {
  const options: ts.CompilerOptions = { module: ts.ModuleKind.ES2022, moduleResolution: ts.ModuleResolutionKind.Bundler, allowJs: true, jsx: ts.JsxEmit.ReactJSX }
  const arrows = new Map<string, Arrow>()
  const packages: PackageImport[] = []
  for (const file of sourceFiles(join(root, dir))) {
    const from = relative(root, file)
    const source = ts.createSourceFile(file, ts.sys.readFile(file) ?? '', ts.ScriptTarget.Latest, true)
    for (const { specifier, typeOnly } of importsOf(source)) {
      if (!specifier.startsWith('.')) {
        packages.push({ from, specifier })
        continue
      }
      // Text modules (`.sql`, wrangler's [[rules]]) are files, not modules tsc resolves.
      const text = /\.sql$/.test(specifier) && ts.sys.fileExists(join(dirname(file), specifier)) ? join(dirname(file), specifier) : undefined
      const resolved = text ?? ts.resolveModuleName(specifier, file, options, ts.sys).resolvedModule?.resolvedFileName
      if (!resolved) throw new Error(`${from}: cannot resolve '${specifier}'`)
      const to = relative(root, resolved)
      if (!to.startsWith(dir + '/')) continue
      const key = `${from}→${to}`
      const seen = arrows.get(key)
      // A file that imports a module once for values and once for types has a runtime arrow.
      arrows.set(key, { from, to, typeOnly: (seen?.typeOnly ?? true) && typeOnly })
    }
  }
  return { arrows: [...arrows.values()], packages }
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.(ts|tsx|mts)$/.test(entry.name) && !entry.name.endsWith('.d.ts'))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort()
}

function importsOf(source: ts.SourceFile): { specifier: string; typeOnly: boolean }[] {
  const found: { specifier: string; typeOnly: boolean }[] = []
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push({ specifier: node.moduleSpecifier.text, typeOnly: importIsTypeOnly(node.importClause) })
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const named = node.exportClause && ts.isNamedExports(node.exportClause) ? node.exportClause.elements : undefined
      found.push({ specifier: node.moduleSpecifier.text, typeOnly: node.isTypeOnly || (!!named && named.length > 0 && named.every((e) => e.isTypeOnly)) })
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push({ specifier: node.argument.literal.text, typeOnly: true })
    } else if (ts.isModuleDeclaration(node) && ts.isStringLiteral(node.name) && node.name.text.startsWith('.')) {
      // `declare module './x' { interface T … }` adds to x's types: the augmenting file depends on x.
      found.push({ specifier: node.name.text, typeOnly: true })
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
      found.push({ specifier: node.arguments[0].text, typeOnly: false })
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return found
}

function importIsTypeOnly(clause: ts.ImportClause | undefined): boolean {
  if (!clause) return false // `import './x'` runs x
  if (clause.isTypeOnly) return true
  if (clause.name) return false
  const bindings = clause.namedBindings
  if (!bindings) return false
  if (ts.isNamespaceImport(bindings)) return false
  return bindings.elements.length > 0 && bindings.elements.every((e) => e.isTypeOnly)
}

/**
 * The import cycles of a graph: each strongly connected component of more than one file (or a file
 * that imports itself), as its sorted list of files. Tarjan's algorithm.
 */
export function cycles(arrows: readonly Arrow[]): string[][] {
  const next = new Map<string, string[]>()
  for (const { from, to } of arrows) {
    next.set(from, [...(next.get(from) ?? []), to])
    if (!next.has(to)) next.set(to, [])
  }
  let counter = 0
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const components: string[][] = []
  const connect = (node: string): void => {
    index.set(node, counter)
    low.set(node, counter)
    counter++
    stack.push(node)
    onStack.add(node)
    for (const target of next.get(node) ?? []) {
      if (!index.has(target)) {
        connect(target)
        low.set(node, Math.min(low.get(node)!, low.get(target)!))
      } else if (onStack.has(target)) {
        low.set(node, Math.min(low.get(node)!, index.get(target)!))
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = []
      let member: string
      do {
        member = stack.pop()!
        onStack.delete(member)
        component.push(member)
      } while (member !== node)
      const selfLoop = (next.get(node) ?? []).includes(node)
      if (component.length > 1 || selfLoop) components.push(component.sort())
    }
  }
  for (const node of [...next.keys()].sort()) if (!index.has(node)) connect(node)
  return components
}
