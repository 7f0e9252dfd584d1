import { defineConfig } from '@playwright/test'
import base from '../playwright.config.js'

// The main flows against the real Go backend (app/uiflows_test.go serves
// the built frontend and the real Desk at UI_URL); no double, no webServer.
export default defineConfig({
  ...base,
  testDir: '.',
  outputDir: '../test-results/e2e-real',
  workers: 1,
  timeout: 120_000,
  expect: { timeout: 30_000 },
  use: { ...base.use, baseURL: process.env.UI_URL },
  webServer: undefined,
})
