import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ALL_EVENTS } from '@/events.js'

const SRC = join(process.cwd(), 'src')

function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sourceFiles(path)
    return /\.(vue|js)$/.test(entry.name) ? [path] : []
  })
}

const files = sourceFiles(SRC).map((path) => ({ path: relative(SRC, path), text: readFileSync(path, 'utf8') }))

describe('architecture', () => {
  it('lets only stores import the Wails bindings', () => {
    const importers = files.filter((f) => /from\s+['"][^'"]*wailsjs\//.test(f.text)).map((f) => f.path)
    expect(importers.length).toBeGreaterThan(0)
    expect(importers.filter((p) => !p.startsWith('stores/'))).toEqual([])
  })

  it('names the Go events in src/events.js only', () => {
    expect(ALL_EVENTS).toEqual([
      'server:changed',
      'job:changed',
      'run:progress',
      'notification',
      'settings:changed',
      'agent:heartbeat',
      'task:changed',
      'rollout:progress',
      'flx:opened',
      'flx:inbox',
      'flx:stored',
      'mount:changed',
      'drill:changed',
      'recovery:exported',
      'replica:changed',
      'audit',
    ])
    const spelled = files.filter(
      (f) => f.path !== 'events.js' && ALL_EVENTS.some((name) => f.text.includes(`'${name}'`)),
    )
    expect(spelled.map((f) => f.path)).toEqual([])
  })

  // One clock ticks in the UI so relative times age; it reads Date.now and
  // nothing else, so it cannot turn into polling the backend.
  it('polls nothing: the UI is fed by events, and only the UI clock ticks', () => {
    const CLOCK = join('composables', 'useNow.js')
    expect(files.filter((f) => f.text.includes('setInterval')).map((f) => f.path)).toEqual([CLOCK])
    const clock = files.find((f) => f.path === CLOCK).text
    expect(clock.match(/^import .*$/gm)).toEqual(["import { onBeforeUnmount, onMounted, readonly, ref } from 'vue'"])
  })
})
