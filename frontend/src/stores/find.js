import { defineStore } from 'pinia'
import { ref } from 'vue'
import { CompareFile, DownloadFile, FindFiles, PreviewFile } from 'wailsjs/go/app/Desk.js'
import { errorMessage, outcome } from './bridge.js'

// How many files one search may answer; the page says when it was reached.
export const FIND_LIMIT = 200

// How long the page waits after the last key before it searches what was
// typed; Enter searches at once.
export const FIND_TYPING_MS = 300

// The find store searches the catalog of indexed archives for part of a
// file name or a glob, on every server or one; each hit carries all its
// versions.
export const useFindStore = defineStore('find', () => {
  const pattern = ref('')
  const server = ref('')
  const hits = ref([])
  const searched = ref(false)
  const loading = ref(false)
  const error = ref('')
  let seq = 0
  let typing = null

  async function search() {
    clearTimeout(typing)
    typing = null
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

  // searchSoon searches once the operator has stopped typing for a moment;
  // an emptied field clears the results instead.
  function searchSoon() {
    clearTimeout(typing)
    if (!pattern.value.trim()) {
      seq++
      hits.value = []
      searched.value = false
      loading.value = false
      return
    }
    typing = setTimeout(search, FIND_TYPING_MS)
  }

  // download asks Go to save one version of a file (it shows the save
  // dialog): {ok, value: the saved path, "" when cancelled, error}.
  function download(serverUUID, archive, path) {
    return outcome(() => DownloadFile(serverUUID, archive, path))
  }

  // preview asks Go for the beginning of one version of a file: {ok,
  // value: {path, size, text, binary, truncated}, error}.
  function preview(serverUUID, archive, path) {
    return outcome(() => PreviewFile(serverUUID, archive, path))
  }

  // compare asks Go to compare a file as two archives hold it: {ok, value:
  // the comparison (a unified diff, or only sizes and sameness), error}.
  function compare(serverUUID, path, from, to) {
    return outcome(() => CompareFile(serverUUID, path, from, to))
  }

  return { pattern, server, hits, searched, loading, error, search, searchSoon, download, preview, compare }
})
