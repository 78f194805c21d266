#!/usr/bin/env node
// The `revline` command. The CLI is TypeScript (cli/index.ts); tsx (a dependency) runs it directly,
// so a fresh `npm ci` is all it needs: no build step.
import { tsImport } from 'tsx/esm/api'

const { main } = await tsImport('./index.ts', import.meta.url)
process.exitCode = await main(process.argv)
