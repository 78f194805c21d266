import { chromium } from 'playwright-core'
const [,, link, out] = process.argv
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] })
const page = await browser.newPage({ viewport: { width: 1300, height: 1400 } })
await page.goto(link)
await Promise.all([page.waitForNavigation(), page.locator('form button[type=submit], form button').first().click()])
console.log('at', page.url())
await page.goto(page.url().replace(/\/dashboard.*$/, '/dashboard/crm'))
const heads = await page.locator('table th').allTextContents(); console.log('headers', heads)
const row = await page.locator('table tbody tr', { hasText: 'Big lead' }).first().allTextContents(); console.log('row', row)
const labels = await page.locator('form label').allTextContents(); console.log('labels', labels.map((s) => s.trim().replace(/\s+/g, ' ')).filter(Boolean).slice(0, 40))
await page.screenshot({ path: out, fullPage: true })
await browser.close()
