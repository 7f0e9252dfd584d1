// Helpers the stores share for talking to the Go side. Only stores import
// this file (and wailsjs/); components go through the stores.
import { EventsOn } from 'wailsjs/runtime/runtime.js'

// errorMessage turns what a binding rejected with (Wails rejects with the Go
// error's text, a plain string) into the text an alert shows.
export function errorMessage(err) {
  if (err == null) return ''
  if (typeof err === 'string') return err
  if (typeof err.message === 'string' && err.message) return err.message
  return String(err)
}

// eventSubscription subscribes handler(name, payload) to each event name the
// first time ensure() is called and keeps the unsubscribe functions. ensure()
// throws when the Wails runtime is missing, so the caller can show that.
export function eventSubscription(names, handler) {
  let offs = null
  return {
    ensure() {
      if (offs) return
      const subscribed = []
      try {
        for (const name of names) {
          subscribed.push(EventsOn(name, (payload) => handler(name, payload)))
        }
      } catch (err) {
        subscribed.forEach((off) => typeof off === 'function' && off())
        throw err
      }
      offs = subscribed
    },
    stop() {
      offs?.forEach((off) => typeof off === 'function' && off())
      offs = null
    },
    get active() {
      return offs !== null
    },
  }
}

// coalesced wraps an async loader so that calls made while one is running
// collapse into a single follow-up run: a burst of events costs two binding
// calls, not one per event, and the last state always wins.
export function coalesced(fn) {
  let running = null
  let again = false
  return function run() {
    if (running) {
      again = true
      return running
    }
    running = (async () => {
      try {
        do {
          again = false
          await fn()
        } while (again)
      } finally {
        running = null
      }
    })()
    return running
  }
}

// outcome runs a binding for an action the user started and resolves to
// {ok, value, error}: the dialog or page that asked shows Go's error text as
// sent.
export async function outcome(call) {
  try {
    return { ok: true, value: await call(), error: '' }
  } catch (err) {
    return { ok: false, value: null, error: errorMessage(err) }
  }
}

// batched wraps a loader so that every call made within ms of the first one
// leads to a single call of fn once that window has passed: Go announces a
// run queued and started a few milliseconds apart, and one fetch answers
// both. The window does not slide, so a steady stream still fetches.
export function batched(fn, ms) {
  let timer = null
  let waiting = []
  return function schedule() {
    const done = new Promise((resolve) => waiting.push(resolve))
    if (!timer) {
      timer = setTimeout(async () => {
        const resolvers = waiting
        timer = null
        waiting = []
        try {
          await fn()
        } finally {
          resolvers.forEach((resolve) => resolve())
        }
      }, ms)
    }
    return done
  }
}
