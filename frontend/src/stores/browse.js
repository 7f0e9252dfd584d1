import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { BrowseArchive, DownloadFile, PreviewFile } from 'wailsjs/go/app/Desk.js'
import { isDir, toggleOpen, toggleSelected, visibleRows } from '@/utils/tree.js'
import { errorMessage, outcome } from './bridge.js'

// Files up to this size are previewed as soon as they are picked; Go sends
// the first 64 KiB of any file, so a larger one is previewed on request.
export const AUTO_PREVIEW_MAX = 1_000_000

// The browse store holds the archive open in the browser: its listings,
// fetched one folder at a time when the operator opens it (a repository can
// hold millions of files), the folders open, what is selected for a
// restore, the entry whose details show, and its preview.
export const useBrowseStore = defineStore('browse', () => {
  const server = ref('')
  const archive = ref('')
  const listings = ref({}) // dir → Listing
  const status = ref({}) // dir → {loading, error}
  const expanded = ref([])
  const selected = ref([])
  const current = ref(null) // the Entry picked
  const preview = ref(null) // {path, loading, value, error}

  const key = () => `${server.value}\n${archive.value}`
  const rows = computed(() => visibleRows(listings.value, expanded.value, status.value))
  // An archive that cannot be listed at all (pruned, unknown) shows its
  // error in place of the tree.
  const rootError = computed(() => (listings.value[''] ? '' : (status.value['']?.error ?? '')))
  const rootLoading = computed(() => Boolean(status.value['']?.loading))

  function reset() {
    listings.value = {}
    status.value = {}
    expanded.value = []
    selected.value = []
    current.value = null
    preview.value = null
  }

  // open shows an archive: the root is listed once, folders when opened.
  function open(serverRef, archiveName) {
    const s = String(serverRef ?? '')
    const a = String(archiveName ?? '')
    if (s !== server.value || a !== archive.value) {
      server.value = s
      archive.value = a
      reset()
    }
    if (listings.value['']) return Promise.resolve()
    return loadDir('')
  }

  async function loadDir(dir) {
    const asked = key()
    status.value = { ...status.value, [dir]: { loading: true, error: '' } }
    try {
      const listing = await BrowseArchive(server.value, archive.value, dir)
      if (asked !== key()) return
      listings.value = { ...listings.value, [dir]: { entries: [], total: 0, truncated: false, ...listing } }
      status.value = { ...status.value, [dir]: { loading: false, error: '' } }
    } catch (err) {
      if (asked !== key()) return
      status.value = { ...status.value, [dir]: { loading: false, error: errorMessage(err) } }
    }
  }

  // toggle opens a folder (listing it the first time) or closes it.
  function toggle(entry) {
    if (!isDir(entry)) return Promise.resolve()
    expanded.value = toggleOpen(expanded.value, entry.path)
    const opened = expanded.value.includes(entry.path)
    if (opened && !listings.value[entry.path] && !status.value[entry.path]?.loading) return loadDir(entry.path)
    return Promise.resolve()
  }

  function retry(dir) {
    return loadDir(dir)
  }

  function select(path) {
    selected.value = toggleSelected(selected.value, path)
  }

  function clearSelection() {
    selected.value = []
  }

  // pick shows an entry's details; a small regular file is previewed.
  function pick(entry) {
    current.value = entry
    preview.value = null
    if (entry?.type === '-' && Number(entry.size) <= AUTO_PREVIEW_MAX) return loadPreview(entry.path)
    return Promise.resolve()
  }

  async function loadPreview(path) {
    const asked = key()
    preview.value = { path, loading: true, value: null, error: '' }
    const result = await outcome(() => PreviewFile(server.value, archive.value, path))
    if (asked !== key() || preview.value?.path !== path) return
    preview.value = { path, loading: false, value: result.value, error: result.error }
  }

  // download asks Go to save a file (it shows the save dialog): {ok, value:
  // the saved path, "" when the operator cancelled, error}.
  function download(path) {
    return outcome(() => DownloadFile(server.value, archive.value, path))
  }

  return {
    server,
    archive,
    listings,
    status,
    expanded,
    selected,
    current,
    preview,
    rows,
    rootError,
    rootLoading,
    open,
    toggle,
    retry,
    select,
    clearSelection,
    pick,
    loadPreview,
    download,
  }
})
