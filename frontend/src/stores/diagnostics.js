import { defineStore } from 'pinia'
import { ref } from 'vue'
import { Diagnostics } from 'wailsjs/go/app/Desk.js'
import { ClipboardSetText } from 'wailsjs/runtime/runtime.js'
import { outcome } from './bridge.js'

// putOnClipboard writes text through the Wails runtime (the desktop
// window), else the browser's clipboard.
async function putOnClipboard(text) {
  try {
    if (await ClipboardSetText(text)) return
  } catch {
    // no Wails runtime clipboard here: the browser's
  }
  await navigator.clipboard.writeText(text)
}

// The diagnostics store makes the report About's "Copy diagnostics" puts on
// the clipboard: Go writes it (versions, settings without secrets, the last
// errors, the environment). state is idle, copying, copied or failed; text
// keeps the report so a refused clipboard can show it to select by hand.
export const useDiagnosticsStore = defineStore('diagnostics', () => {
  const state = ref('idle')
  const text = ref('')
  const error = ref('')

  async function copy() {
    state.value = 'copying'
    const r = await outcome(async () => {
      text.value = await Diagnostics()
      await putOnClipboard(text.value)
    })
    state.value = r.ok ? 'copied' : 'failed'
    error.value = r.error
    return r
  }

  return { state, text, error, copy }
})
