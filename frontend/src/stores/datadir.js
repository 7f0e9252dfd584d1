import { defineStore } from 'pinia'
import { ref } from 'vue'
import { ChooseFolder, GetDataDir, SetNextDataDir } from 'wailsjs/go/app/Desk.js'
import { errorMessage, outcome } from './bridge.js'

// The datadir store holds where Borgdesk keeps its data now and where the
// next start will (GetDataDir: datadir.Info). The choice lives in desk.json
// on this workstation, not in the database, so no event announces it: the
// answer of SetNextDataDir is the new state.
export const useDataDirStore = defineStore('datadir', () => {
  const info = ref(null)
  const error = ref('')

  async function load() {
    try {
      info.value = (await GetDataDir()) ?? null
      error.value = ''
    } catch (err) {
      error.value = errorMessage(err)
    }
  }

  // choose writes dir ('' puts the default back) and resolves to {ok, error}.
  async function choose(dir) {
    const result = await outcome(() => SetNextDataDir(dir))
    if (result.ok) info.value = result.value ?? info.value
    return result
  }

  // browse opens the system's folder chooser; it resolves to the folder
  // picked, '' when cancelled, with error set when there is no chooser.
  async function browse(title, start) {
    return outcome(() => ChooseFolder(title, start))
  }

  return { info, error, load, choose, browse }
})
