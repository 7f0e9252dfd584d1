// Stands in for wailsjs/runtime/runtime.js in unit tests:
//   vi.mock('wailsjs/runtime/runtime.js', () => import('../fake-runtime.js'))
// It keeps the listeners so a test can emit an event as Go would.
import { vi } from 'vitest'

const listeners = new Map()

export const EventsOn = vi.fn((name, callback) => {
  if (!listeners.has(name)) listeners.set(name, new Set())
  listeners.get(name).add(callback)
  return () => listeners.get(name)?.delete(callback)
})
export const EventsOnMultiple = vi.fn()
export const EventsOff = vi.fn()
export const EventsEmit = vi.fn()
export const ClipboardSetText = vi.fn(async () => true)

export function emit(name, payload) {
  for (const callback of listeners.get(name) ?? []) callback(payload)
}

export function listenerCount(name) {
  return listeners.get(name)?.size ?? 0
}

export function resetRuntime() {
  listeners.clear()
}
