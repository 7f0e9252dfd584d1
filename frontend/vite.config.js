import { writeFileSync } from 'node:fs'
import { fileURLToPath, URL } from 'node:url'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

const outDir = fileURLToPath(new URL('./dist', import.meta.url))

// The Go binary embeds frontend/dist; a fresh clone needs the folder to exist
// before the frontend is built, so .gitkeep is tracked. emptyOutDir deletes
// it, and this plugin puts it back once the bundle is written.
function keepGitkeep() {
  return {
    name: 'borgdesk:keep-gitkeep',
    apply: 'build',
    closeBundle() {
      writeFileSync(`${outDir}/.gitkeep`, '')
    },
  }
}

export default defineConfig({
  plugins: [vue(), keepGitkeep()],
  resolve: {
    alias: {
      '@': fileURLToPath(new URL('./src', import.meta.url)),
      wailsjs: fileURLToPath(new URL('./wailsjs', import.meta.url)),
    },
  },
  define: {
    __VUE_I18N_FULL_INSTALL__: true,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
  },
  build: {
    outDir,
    emptyOutDir: true,
  },
})
