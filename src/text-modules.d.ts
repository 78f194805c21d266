/** `.sql` files are text modules (wrangler.toml [[rules]] type "Text"; vitest.config.ts does the same). */
declare module '*.sql' {
  const text: string
  export default text
}
