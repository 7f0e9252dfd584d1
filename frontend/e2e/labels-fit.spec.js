import { expect, test } from '@playwright/test'
import { POPULATED_FLEET, installDesk } from './desk-double.js'

// French and German labels are longer than English ones: no button, label,
// tab or column heading of these pages may be cut off.
const PAGES = ['/', '/servers', '/archives', '/restore', '/find', '/settings', '/jobs/1', '/archives?server=*', `/servers/${POPULATED_FLEET.servers[0].uuid}`]

for (const locale of ['fr', 'de']) {
  test(`no label is cut off in ${locale}`, async ({ page }) => {
    await page.setViewportSize({ width: 1024, height: 720 })
    await installDesk(page, { ...POPULATED_FLEET, settings: { ...POPULATED_FLEET.settings, 'ui.locale': locale } })
    const cut = []
    for (const path of PAGES) {
      await page.goto(`/#${path}`)
      await page.waitForLoadState('networkidle')
      await page.waitForTimeout(300)
      cut.push(
        ...(await page.evaluate((where) => {
          const out = []
          for (const el of document.querySelectorAll('button, label, th, a.btn, select, legend, h1, h2, [role="tab"]')) {
            const style = getComputedStyle(el)
            if (style.display === 'none' || style.visibility === 'hidden' || !el.offsetParent || el.classList.contains('sr-only')) continue
            if (el.scrollWidth > el.clientWidth + 1 && style.overflow !== 'visible') out.push(`${where}: <${el.tagName.toLowerCase()}> ${el.textContent.trim().slice(0, 60)}`)
          }
          return out
        }, path)),
      )
    }
    expect(cut).toEqual([])
  })
}
