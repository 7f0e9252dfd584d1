import { defineStore } from 'pinia'
import { ref } from 'vue'
import { FindFiles } from 'wailsjs/go/app/Desk.js'
import { errorMessage } from './bridge.js'

// How many files one search may answer; the page says when it was reached.
export const FIND_LIMIT = 200

// The find store searches the catalog of indexed archives for a file name
// or glob, on every server or one; each hit carries all its versions.
export const useFindStore = defineStore('find', () => {
  const pattern = ref('')
  const server = ref('')
  const hits = ref([])
  const searched = ref(false)
  const loading = ref(false)
  const error = ref('')
  let seq = 0

  async function search() {
    const asked = ++seq
    const wanted = pattern.value.trim()
    if (!wanted) return
    loading.value = true
    try {
      const found = (await FindFiles(wanted, server.value, FIND_LIMIT)) ?? []
      if (asked !== seq) return
      hits.value = found
      searched.value = true
      error.value = ''
    } catch (err) {
      if (asked === seq) error.value = errorMessage(err)
    } finally {
      if (asked === seq) loading.value = false
    }
  }

  return { pattern, server, hits, searched, loading, error, search }
})
